import type { InfluxDB, IPoint } from "influx";
import type { Logger } from "pino";
import { type Backoff, backoffDelay } from "../../core/backoff.ts";
import type { PipelineOutput, Sink } from "../../core/contracts.ts";
import type { Outbox } from "../outbox/outbox-types.ts";
import {
  authProblem,
  classifyInfluxError,
  createInfluxClient,
  type InfluxConnection,
  type InfluxFailure,
  noDatabaseProblem,
  noRetentionPolicyProblem,
  redactInfluxUrl,
} from "./client.ts";
import { DeadLetters } from "./dead-letters.ts";
import { PointBuilder, type Precision, type StoredPoint } from "./points.ts";

export type InfluxSinkOptions = InfluxConnection & {
  precision: Precision;
  /** CREATE DATABASE at start (needs an admin user on 1.x). */
  createDatabase: boolean;
  /** Points per write request; a full batch is sent at once. Default 5,000. */
  batchSize?: number;
  /** Whatever waits is sent at least this often. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** Retry delays after a failed write (capped exponential with jitter). Default 500 ms … 30 s. */
  backoff?: Backoff;
  /** Every point goes through it; an entry leaves only after InfluxDB answered 204 (or dead-lettered what it refused). */
  outbox: Outbox;
  /** JSON-lines file for points InfluxDB refused (400). */
  deadLetterPath?: string;
  /** How long stop() keeps delivering. Default 5 s. */
  stopTimeoutMs?: number;
  log: Logger;
  now?: () => number;
  random?: () => number;
};

export type InfluxSinkStats = {
  /** Points InfluxDB accepted (rewrites after a partial write count again). */
  written: number;
  /** Write requests that succeeded. */
  batches: number;
  /** Failed write attempts (each retried after a backoff). */
  failures: number;
  /** Points InfluxDB refused, dead-lettered. */
  deadLettered: number;
  /** false from a failed write until the next successful one. */
  healthy: boolean;
};

type Outage = { since: number; kind: InfluxFailure["kind"] };

/**
 * Writes pipeline output to InfluxDB 1.x (or the v1 API of 2.x/3.x) with the
 * `influx` package. write() turns the output into points and appends them to
 * the durable outbox; a delivery loop sends batches of up to batchSize points
 * (at once when a batch is full, else every flushIntervalMs), acknowledges them
 * in the outbox after the 204, and retries failures with capped backoff and
 * jitter. A 400 keeps the good points: the batch is split until the refused
 * points are isolated, and those are dead-lettered (logged by name).
 */
export class InfluxSink implements Sink {
  readonly name = "influx";
  readonly stats: InfluxSinkStats = { written: 0, batches: 0, failures: 0, deadLettered: 0, healthy: true };
  readonly outbox: Outbox;

  private readonly opts: InfluxSinkOptions;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly batchSize: number;
  private readonly builder: PointBuilder;
  private readonly deadLetters: DeadLetters;
  private client: InfluxDB | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private delivering: Promise<void> | undefined;
  private kickScheduled = false;
  private attempt = 0;
  private outage: Outage | undefined;
  private closing = false;

  constructor(opts: InfluxSinkOptions) {
    this.opts = opts;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.outbox = opts.outbox;
    this.batchSize = opts.batchSize ?? 5000;
    this.builder = new PointBuilder(opts.precision);
    this.deadLetters = new DeadLetters({
      path: opts.deadLetterPath,
      precision: opts.precision,
      log: opts.log,
    });
  }

  /**
   * Check what can be checked now: bad credentials, a missing database or
   * retention policy fail start() with the key to fix. An unreachable
   * InfluxDB does not: points wait in the outbox and are sent when it answers.
   */
  async start(): Promise<void> {
    const client = createInfluxClient(this.opts);
    this.client = client;
    const url = redactInfluxUrl(this.opts.url);
    try {
      if (this.opts.createDatabase) await client.createDatabase(this.opts.database);
      await this.checkRetentionPolicy(client);
      // An empty write checks credentials, write permission and the database, and writes nothing.
      await client.writePoints([], this.writeOptions());
      this.log.info({ url, database: this.opts.database, backlog: this.outbox.depth() }, "influx connected");
    } catch (err) {
      const f = classifyInfluxError(err);
      const problem = this.configProblem(f);
      if (problem) throw new Error(problem, { cause: err });
      this.stats.healthy = false;
      this.outage = { since: this.now(), kind: f.kind };
      this.log.warn(
        { url, error: f.message },
        "influx not reachable yet; points wait in the outbox and are sent when it answers",
      );
    }
    this.flushTimer = setInterval(() => this.kick(true), this.opts.flushIntervalMs ?? 1000);
    this.flushTimer.unref();
    if (this.outbox.depth() > 0) this.kick(true);
  }

  write(out: PipelineOutput): void {
    const { points, seqMax } = this.builder.build(out);
    if (points.length === 0) return;
    this.outbox.append(JSON.stringify(points), points.length, seqMax);
    if (this.outbox.depth() >= this.batchSize) this.kick(false);
  }

  queueDepth(): number {
    return this.outbox.depth();
  }

  /** Deliver what waits (for up to stopTimeoutMs), then stop. The rest stays in the outbox for the next start. */
  async stop(): Promise<void> {
    this.closing = true;
    clearInterval(this.flushTimer);
    clearTimeout(this.retryTimer);
    this.flushTimer = undefined;
    this.retryTimer = undefined;
    if (!this.client) return;
    const timeoutMs = this.opts.stopTimeoutMs ?? 5000;
    const finished = (async () => {
      await this.delivering;
      // Try once more even after a failure: a write that timed out under load
      // says nothing about influxd now, and what is not sent here waits for the
      // next start. The stop timeout bounds the attempt when influxd is down.
      await this.deliver(true);
    })();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    this.outbox.flushAcks();
    if (this.outbox.depth() > 0) {
      this.log.warn(
        { undelivered: this.outbox.depth() },
        "influx stop: outbox not empty; the rest is sent after the next start",
      );
    }
    this.client = undefined;
  }

  // ——— delivery ———

  /**
   * Start a delivery run unless one is running or a retry is pending. From the
   * timer (`all`): send whatever waits. From write(): full batches only, after
   * the rest of this tick's writes have joined.
   */
  private kick(all: boolean): void {
    if (this.delivering || this.retryTimer || this.closing || !this.client) return;
    if (!all) {
      if (this.kickScheduled) return;
      this.kickScheduled = true;
      setImmediate(() => {
        this.kickScheduled = false;
        this.run(false);
      });
      return;
    }
    this.run(true);
  }

  private run(all: boolean): void {
    if (this.delivering || this.retryTimer || this.closing || !this.client) return;
    this.delivering = this.deliver(all).finally(() => {
      this.delivering = undefined;
    });
  }

  private async deliver(all: boolean): Promise<void> {
    for (;;) {
      const pending = this.outbox.depth();
      if (pending === 0 || (!all && pending < this.batchSize)) return;
      const { ids, points } = this.takeBatch();
      if (ids.length === 0) return; // what waits is in memory (the disk refused it); the outbox retries
      const failure = await this.send(points);
      if (failure) {
        this.onFailure(failure);
        if (!this.closing) this.retryLater();
        return;
      }
      this.outbox.ack(ids);
      this.onSuccess();
    }
  }

  /** Oldest undelivered entries, whole, until at least batchSize points. */
  private takeBatch(): { ids: number[]; points: StoredPoint[] } {
    const ids: number[] = [];
    const points: StoredPoint[] = [];
    let after = 0;
    while (points.length < this.batchSize) {
      const entries = this.outbox.peek(after, 64);
      if (entries.length === 0) break;
      for (const e of entries) {
        ids.push(e.id);
        after = e.id;
        try {
          for (const p of JSON.parse(e.body) as StoredPoint[]) points.push(p);
        } catch {
          this.log.error({ entry: e.id }, "influx outbox entry unreadable; skipped");
        }
        if (points.length >= this.batchSize) break;
      }
    }
    return { ids, points };
  }

  /** Write `points` in requests of at most batchSize. Undefined = all accepted (or dead-lettered). */
  private async send(points: StoredPoint[]): Promise<InfluxFailure | undefined> {
    for (let i = 0; i < points.length; i += this.batchSize) {
      const failure = await this.writeChunk(points.slice(i, i + this.batchSize), true);
      if (failure) return failure;
    }
    return undefined;
  }

  private async writeChunk(points: StoredPoint[], mayCreate: boolean): Promise<InfluxFailure | undefined> {
    const client = this.client;
    if (!client) return { kind: "transient", status: undefined, message: "sink stopped" };
    try {
      await client.writePoints(points.map(toIPoint), this.writeOptions());
      this.stats.written += points.length;
      this.stats.batches++;
      return undefined;
    } catch (err) {
      const f = classifyInfluxError(err);
      switch (f.kind) {
        case "bad-points":
        case "too-large":
          // InfluxDB kept the good points of a partial write (or none, for some errors):
          // split until the refused ones are alone. Rewriting a point is idempotent.
          if (points.length === 1 || (f.kind === "bad-points" && f.dropped === points.length)) {
            this.deadLetters.add(points, f.message);
            this.stats.deadLettered += points.length;
            return undefined;
          }
          return (
            (await this.writeChunk(points.slice(0, points.length >> 1), mayCreate)) ??
            this.writeChunk(points.slice(points.length >> 1), mayCreate)
          );
        case "no-database":
          if (this.opts.createDatabase && mayCreate) {
            // Dropped while we ran (e.g. a test or a reset server): create it again, once.
            try {
              await client.createDatabase(this.opts.database);
            } catch {
              return f;
            }
            return this.writeChunk(points, false);
          }
          return f;
        default:
          return f;
      }
    }
  }

  private writeOptions() {
    return {
      database: this.opts.database,
      precision: this.opts.precision,
      ...(this.opts.retentionPolicy ? { retentionPolicy: this.opts.retentionPolicy } : {}),
    };
  }

  private async checkRetentionPolicy(client: InfluxDB): Promise<void> {
    const rp = this.opts.retentionPolicy;
    if (!rp) return;
    let names: string[];
    try {
      names = (await client.showRetentionPolicies(this.opts.database)).map((p) => p.name);
    } catch {
      return; // a write-only user may not list policies; the first write tells
    }
    if (!names.includes(rp)) {
      throw Object.assign(new Error(`retention policy not found: ${rp}`), { res: { statusCode: 500 } });
    }
  }

  private configProblem(f: InfluxFailure): string | undefined {
    switch (f.kind) {
      case "auth":
        return authProblem(this.opts.url, f);
      case "no-database":
        return noDatabaseProblem(this.opts.url, this.opts.database);
      case "no-retention-policy":
        return noRetentionPolicyProblem(this.opts.url, this.opts.database, this.opts.retentionPolicy);
      default:
        return undefined;
    }
  }

  private onFailure(f: InfluxFailure): void {
    this.stats.failures++;
    this.stats.healthy = false;
    this.attempt++;
    if (this.outage && this.outage.kind === f.kind) return; // one line per outage, not per retry
    this.outage = { since: this.outage?.since ?? this.now(), kind: f.kind };
    const problem = this.configProblem(f);
    if (problem) this.log.error({ status: f.status }, `${problem}; points wait in the outbox`);
    else {
      this.log.warn(
        {
          url: redactInfluxUrl(this.opts.url),
          status: f.status,
          error: f.message,
          backlog: this.outbox.depth(),
        },
        "influx write failed; points wait in the outbox and are retried with backoff",
      );
    }
  }

  private onSuccess(): void {
    this.attempt = 0;
    if (!this.stats.healthy || this.outage) {
      this.log.info(
        { downMs: this.outage ? this.now() - this.outage.since : 0, backlog: this.outbox.depth() },
        "influx writes recovered",
      );
    }
    this.stats.healthy = true;
    this.outage = undefined;
  }

  private retryLater(): void {
    const delay = backoffDelay(
      this.attempt - 1,
      this.opts.backoff ?? { initialMs: 500, maxMs: 30_000 },
      this.opts.random,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick(true);
    }, delay);
    this.retryTimer.unref();
  }
}

function toIPoint(p: StoredPoint): IPoint {
  return { measurement: p[0], tags: p[1], fields: p[2], timestamp: p[3] };
}
