import type { Outbox, OutboxEntry, OutboxStats } from "./outbox-types.ts";
import { SharedOutbox, type SharedOutboxOptions } from "./shared-outbox.ts";
import type { SinkOutbox } from "./sink-outbox.ts";

export type { OutboxEntry, OutboxStats, WhenFull } from "./outbox-types.ts";

/** A SharedOutbox's options for one sink: `name` (which sink, for logs and metrics) instead of `sinks`. */
export type DurableOutboxOptions = Omit<SharedOutboxOptions, "sinks" | "name" | "importLegacy"> & {
  /** Which sink it serves ("mqtt", "influx"): logs and metrics. */
  name: string;
};

const SOLE_SINK = "sink";

/**
 * The outbox of a single sink: a SharedOutbox with one member, with the
 * sink's view and the log's open/close in one object. For a sink used on its
 * own (tests, benchmarks, tools); the gateway shares one log between its sinks
 * so a batch reaches all of them or none (see README.md).
 */
export class DurableOutbox implements Outbox {
  readonly name: string;
  readonly path: string;
  readonly shared: SharedOutbox;
  private readonly view: SinkOutbox;

  constructor(opts: DurableOutboxOptions) {
    this.name = opts.name;
    this.path = opts.path;
    // The folder is this one sink's: its section key is fixed, `name` only labels logs and metrics.
    this.shared = new SharedOutbox({ ...opts, sinks: [SOLE_SINK], name: opts.name, importLegacy: false });
    this.view = this.shared.sink(SOLE_SINK);
  }

  get stats(): OutboxStats {
    return this.view.stats;
  }

  /** Open (or create) the folder and load what an earlier run left undelivered. Throws a readable error. */
  open(): void {
    this.shared.open();
  }

  /** Save the position and close the files; undelivered data stays for the next start. */
  close(): void {
    this.shared.close();
  }

  append(body: string, items: number, seqMax?: number): boolean {
    return this.view.append(body, items, seqMax);
  }

  peek(afterId: number, limit: number): OutboxEntry[] {
    return this.view.peek(afterId, limit);
  }

  ack(ids: Iterable<number>): void {
    this.view.ack(ids);
  }

  depth(): number {
    return this.view.depth();
  }

  lastSeq(): number {
    return this.shared.lastSeq();
  }

  deliveredThrough(): number {
    return this.view.deliveredThrough();
  }

  oldestAgeMs(): number {
    return this.view.oldestAgeMs();
  }

  flushAcks(): void {
    this.shared.flushAcks();
  }

  onAppended(listener: () => void): () => void {
    return this.view.onAppended(listener);
  }

  /** Called with true when intake should pause (pause policy, full) and false when it may resume. */
  onBackpressure(listener: (paused: boolean) => void): () => void {
    return this.shared.onBackpressure(listener);
  }
}
