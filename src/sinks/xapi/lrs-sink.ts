import { appendFileSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { type Backoff, backoffDelay } from "../../core/backoff.ts";
import type { Outbox } from "../outbox/outbox-types.ts";
import { LrsClient, type LrsConnection, type LrsOutcome, redactLrsUrl } from "./lrs-client.ts";

/** A statement as the sink sees it: JSON with an id. It never looks further inside. */
type StoredStatement = { id: string } & Record<string, unknown>;

type Failure = Extract<LrsOutcome, { kind: "auth" | "transient" }>;

export type LrsSinkOptions = LrsConnection & {
  /** Entries are JSON arrays of statements (what LrsFeed appends); acked after the LRS stored them. */
  outbox: Outbox;
  /** Statements per request. Default 100 (LRSs commonly accept a few hundred). */
  batchSize?: number;
  /** Whatever waits is sent at least this often. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** Retry delays after a failed request. Default 1 s … 60 s. */
  backoff?: Backoff;
  /** JSON-lines file for statements the LRS refused as invalid (400). */
  deadLetterPath?: string;
  /** How long stop() keeps delivering. Default 5 s. */
  stopTimeoutMs?: number;
  log: Logger;
  now?: () => number;
  random?: () => number;
};

export type LrsSinkStats = {
  /** Statements the LRS stored (or already held, equal): each id counts once per delivery. */
  sent: number;
  /** Requests answered 200/204. */
  requests: number;
  /** Failed attempts (unreachable, 5xx, 401/403), each retried after a backoff. */
  failures: number;
  /** Statements the LRS already held under the same id but different (409 on PUT): kept theirs, moved on. */
  conflicts: number;
  /** Statements the LRS refused as invalid (400/413 alone): dead-lettered. */
  rejected: number;
  /** false from a failed request until the next successful one. */
  healthy: boolean;
};

const DEAD_LETTER_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Pushes xAPI statements from the durable outbox to a Learning Record Store:
 * the third outboxed destination beside MQTT and InfluxDB. Statements reach
 * the outbox from the evidence ledger (src/evidence/xapi/lrs-feed.ts); this
 * sink only delivers: POST batches to `<endpoint>/statements`, ack after
 * 200/204, retry with capped backoff while the LRS is down. Ids are
 * deterministic, so a resend is harmless: on 409 (an LRS that refuses a whole
 * batch because one id exists) each statement is PUT under its id, where
 * "already held" is 204.
 */
export class LrsSink {
  readonly name = "xapi";
  readonly stats: LrsSinkStats = {
    sent: 0,
    requests: 0,
    failures: 0,
    conflicts: 0,
    rejected: 0,
    healthy: true,
  };
  readonly outbox: Outbox;
  readonly #opts: LrsSinkOptions;
  readonly #client: LrsClient;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #batchSize: number;
  #flushTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #delivering: Promise<void> | undefined;
  #attempt = 0;
  #outage: { since: number; kind: Failure["kind"] } | undefined;
  #running = false;

  constructor(opts: LrsSinkOptions) {
    this.#opts = opts;
    this.#client = new LrsClient(opts); // throws on a bad endpoint: a config error at construction
    this.#log = opts.log;
    this.#now = opts.now ?? Date.now;
    this.outbox = opts.outbox;
    this.#batchSize = opts.batchSize ?? 100;
  }

  /** Start delivering. An unreachable LRS is not an error: statements wait in the outbox. */
  start(): void {
    this.#running = true;
    this.#log.info(
      { lrs: redactLrsUrl(this.#client.url.toString()), backlog: this.outbox.depth() },
      "xapi LRS sink started",
    );
    this.#unsubscribe = this.outbox.onAppended(() => this.#kick());
    this.#flushTimer = setInterval(() => this.#kick(), this.#opts.flushIntervalMs ?? 1000);
    this.#flushTimer.unref();
    this.#kick();
  }

  queueDepth(): number {
    return this.outbox.depth();
  }

  /** Resolves when nothing is in flight (tests, stop). */
  async idle(): Promise<void> {
    while (this.#delivering) await this.#delivering;
  }

  /** Deliver what waits for up to stopTimeoutMs, then stop; the rest stays in the outbox. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearInterval(this.#flushTimer);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#unsubscribe?.();
    const finished = (async () => {
      await this.idle();
      if (this.stats.healthy) await this.#deliver();
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#opts.stopTimeoutMs ?? 5000);
      }),
    ]);
    clearTimeout(timer);
    this.outbox.flushAcks();
    if (this.outbox.depth() > 0)
      this.#log.warn({ undelivered: this.outbox.depth() }, "xapi stop: statements wait for the next start");
  }

  #kick(): void {
    if (!this.#running || this.#delivering || this.#retryTimer) return;
    this.#delivering = this.#deliver().finally(() => {
      this.#delivering = undefined;
    });
  }

  async #deliver(): Promise<void> {
    for (;;) {
      const { ids, statements } = this.#takeBatch();
      if (ids.length === 0) return;
      const failure = statements.length === 0 ? undefined : await this.#send(statements);
      if (failure) {
        this.#onFailure(failure);
        if (this.#running) this.#retryLater();
        return;
      }
      this.outbox.ack(ids);
      this.#onSuccess();
    }
  }

  /** Oldest undelivered entries, whole, until at least batchSize statements. */
  #takeBatch(): { ids: number[]; statements: StoredStatement[] } {
    const ids: number[] = [];
    const statements: StoredStatement[] = [];
    let after = 0;
    while (statements.length < this.#batchSize) {
      const entries = this.outbox.peek(after, 16);
      if (entries.length === 0) break;
      for (const e of entries) {
        ids.push(e.id);
        after = e.id;
        const parsed = parseEntry(e.body);
        if (parsed) statements.push(...parsed);
        else this.#log.error({ entry: e.id }, "xapi outbox entry unreadable; skipped");
        if (statements.length >= this.#batchSize) break;
      }
    }
    return { ids, statements };
  }

  /** Undefined when every statement is stored (or dead-lettered); else the failure to retry after. */
  async #send(statements: StoredStatement[]): Promise<Failure | undefined> {
    const outcome = await this.#client.post(JSON.stringify(statements));
    switch (outcome.kind) {
      case "stored":
        this.stats.requests++;
        this.stats.sent += statements.length;
        return undefined;
      case "conflict":
        // Some id is held already (a resend after an outage or a crash). LRSs differ in
        // whether they stored the rest of the batch, so each statement goes again alone.
        for (const s of statements) {
          const failure = await this.#putOne(s);
          if (failure) return failure;
        }
        return undefined;
      case "bad-statements":
      case "too-large":
        if (statements.length === 1) {
          this.#deadLetter(statements[0]!, outcome);
          return undefined;
        }
        return (
          (await this.#send(statements.slice(0, statements.length >> 1))) ??
          this.#send(statements.slice(statements.length >> 1))
        );
      default:
        return outcome;
    }
  }

  async #putOne(s: StoredStatement): Promise<Failure | undefined> {
    const outcome = await this.#client.put(s.id, JSON.stringify(s));
    switch (outcome.kind) {
      case "stored":
        this.stats.requests++;
        this.stats.sent++;
        return undefined;
      case "conflict":
        // Same id, different content: the LRS keeps its copy and sending again cannot change that.
        this.stats.conflicts++;
        this.#log.warn(
          { statement: s.id, status: outcome.status },
          "xapi LRS holds a different statement under this id; kept the LRS's copy",
        );
        return undefined;
      case "bad-statements":
      case "too-large":
        this.#deadLetter(s, outcome);
        return undefined;
      default:
        return outcome;
    }
  }

  #deadLetter(s: StoredStatement, why: { status: number; message: string }): void {
    this.stats.rejected++;
    this.#log.error(
      { statement: s.id, status: why.status, reason: why.message },
      "xapi LRS refused a statement; dead-lettered",
    );
    const path = this.#opts.deadLetterPath;
    if (!path) return;
    try {
      mkdirSync(dirname(path), { recursive: true });
      let size = 0;
      try {
        size = statSync(path).size;
      } catch {}
      if (size > DEAD_LETTER_MAX_BYTES) return;
      const line = {
        at: new Date(this.#now()).toISOString(),
        status: why.status,
        reason: why.message,
        statement: s,
      };
      appendFileSync(path, `${JSON.stringify(line)}\n`);
    } catch (err) {
      this.#log.warn({ err, path }, "xapi dead-letter file not writable");
    }
  }

  #onFailure(f: Failure): void {
    this.stats.failures++;
    this.stats.healthy = false;
    this.#attempt++;
    if (this.#outage?.kind === f.kind) return; // one line per outage, not per retry
    this.#outage = { since: this.#outage?.since ?? this.#now(), kind: f.kind };
    const lrs = redactLrsUrl(this.#client.url.toString());
    if (f.kind === "auth") {
      this.#log.error(
        { lrs, status: f.status },
        "xapi LRS refused the credentials: check evidence.xapi.username / password and the LRS client's permission to write statements; statements wait in the outbox",
      );
    } else {
      this.#log.warn(
        { lrs, status: f.status, error: f.message, backlog: this.outbox.depth() },
        "xapi LRS not reachable; statements wait in the outbox and are retried with backoff",
      );
    }
  }

  #onSuccess(): void {
    this.#attempt = 0;
    if (this.#outage) {
      this.#log.info(
        { downMs: this.#now() - this.#outage.since, backlog: this.outbox.depth() },
        "xapi LRS delivery recovered",
      );
    }
    this.#outage = undefined;
    this.stats.healthy = true;
  }

  #retryLater(): void {
    const delay = backoffDelay(
      this.#attempt - 1,
      this.#opts.backoff ?? { initialMs: 1000, maxMs: 60_000 },
      this.#opts.random,
    );
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#kick();
    }, delay);
    this.#retryTimer.unref();
  }
}

function parseEntry(body: string): StoredStatement[] | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    if (!Array.isArray(v)) return undefined;
    return v.filter(
      (s): s is StoredStatement =>
        typeof s === "object" && s !== null && typeof (s as { id?: unknown }).id === "string",
    );
  } catch {
    return undefined;
  }
}
