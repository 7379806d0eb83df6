import { join } from "node:path";
import type { Logger } from "pino";
import type { Backoff } from "../../core/backoff.ts";
import type { Outbox } from "../../sinks/outbox/outbox-types.ts";
import { LrsSink } from "../../sinks/xapi/lrs-sink.ts";
import type { Catalogue } from "../catalogue/load.ts";
import { actorHomePage, type EvidenceConfig } from "../config.ts";
import type { LedgerStore } from "../ledger/store.ts";
import { LrsFeed } from "./lrs-feed.ts";

export type XapiPushOptions = {
  /** `evidence.xapi` (endpoint, username, password, homePage?). */
  xapi: NonNullable<EvidenceConfig["xapi"]>;
  site: string;
  catalogue: Catalogue;
  ledger: LedgerStore;
  /** The "xapi" member's view of the gateway's shared outbox (`outbox.sink("xapi")`). */
  outbox: Outbox;
  log: Logger;
  pollIntervalMs?: number;
  flushIntervalMs?: number;
  batchSize?: number;
  backoff?: Backoff;
  requestTimeoutMs?: number;
};

/**
 * The LRS push as one part with start/stop: the feed (ledger → outbox) and
 * the sink (outbox → LRS). Its files live in `<outbox.path>/xapi/`: the
 * feed's `ledger-position` and the sink's `dead-letter.jsonl`.
 */
export class XapiPush {
  readonly feed: LrsFeed;
  readonly sink: LrsSink;

  constructor(o: XapiPushOptions) {
    const folder = join(o.outbox.path, "xapi");
    this.sink = new LrsSink({
      endpoint: o.xapi.endpoint,
      username: o.xapi.username,
      password: o.xapi.password,
      outbox: o.outbox,
      deadLetterPath: join(folder, "dead-letter.jsonl"),
      log: o.log,
      ...(o.flushIntervalMs === undefined ? {} : { flushIntervalMs: o.flushIntervalMs }),
      ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
      ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
      ...(o.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: o.requestTimeoutMs }),
    });
    this.feed = new LrsFeed({
      ledger: o.ledger,
      outbox: o.outbox,
      positionFile: join(folder, "ledger-position"),
      context: { homePage: actorHomePage({ xapi: o.xapi }, o.site), catalogue: o.catalogue },
      log: o.log,
      ...(o.pollIntervalMs === undefined ? {} : { pollIntervalMs: o.pollIntervalMs }),
    });
  }

  async start(): Promise<void> {
    this.sink.start();
    await this.feed.start();
  }

  /** After EvidenceService appended: push without waiting for the next poll. */
  notify(): void {
    this.feed.notify();
  }

  /** Feed first (its last statements reach the outbox), then the sink's last delivery attempt. */
  async stop(): Promise<void> {
    await this.feed.stop();
    await this.sink.stop();
  }
}
