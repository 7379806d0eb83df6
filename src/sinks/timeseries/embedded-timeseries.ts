import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { PipelineOutput, Sink } from "../../core/contracts.ts";
import type {
  AlarmRecord,
  CycleRecord,
  RangePoint,
  RangeQuery,
  StateSegment,
  TimeWindow,
  TransferRecord,
} from "./queries.ts";
import { batchBuffers, RowBatchEncoder } from "./row-batch.ts";
import {
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  type QueryResult,
  type StoreQuery,
  type StoreReply,
  type StoreRequest,
  type StoreStats,
  type StoreWorkerData,
} from "./store-protocol.ts";

export type EmbeddedTimeseriesOptions = {
  /** SQLite file; parent folders are created. ":memory:" for throw-away stores. */
  path: string;
  /** Days of signal rows (and raw events) to keep; 0 keeps everything. */
  retentionDays: number;
  log: Logger;
  /**
   * Commit signal rows at least this often. Default 5,000 ms: every commit
   * rewrites the B-tree page of each series it touches, so rows per series
   * per commit is what a row costs (1 s → 5 s: ≈ 40 % less CPU per row;
   * figures in README.md). Events (cycles, alarms, state changes) are
   * committed within EVENT_FLUSH_MS whatever this says. Queries commit first,
   * so this never delays what the dashboard sees; it is what a crash of the
   * gateway can lose from this store (MQTT and InfluxDB go through the
   * durable outbox and lose nothing).
   */
  flushIntervalMs?: number;
  /** Rows per transaction; reaching it also triggers a write at once. Default 50,000. */
  flushRows?: number;
  /** How often old rows are deleted. Default 10 minutes. */
  retentionIntervalMs?: number;
  /** While the disk refuses writes, keep at most this many rows (oldest dropped). Default 1,000,000. */
  maxBufferedRows?: number;
  /** How long a write waits for a lock held by another connection (e.g. a backup). Default 5,000 ms. */
  busyTimeoutMs?: number;
  /**
   * How often the WAL is copied into the database file. Default 5,000 ms
   * (store-engine.ts says why); a power cut may lose up to this much.
   */
  checkpointIntervalMs?: number;
};

export type TimeseriesStats = Pick<StoreStats, "rows" | "flushes" | "errors" | "dropped">;

/** Events (cycles, alarms, state changes: the evidence) are committed at least this often. */
const EVENT_FLUSH_MS = 1000;
/** Rows the event loop collects before it hands a batch to the worker, at most. */
const MAX_BATCH_ROWS = 8192;
const RESTART_DELAY_MS = 1000;

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

/**
 * The embedded time-series store (DESIGN.md "Time-series store"): a
 * node:sqlite file in WAL mode, written by a worker thread (store-worker.ts)
 * so that commits never stall the gateway's event loop. write() only encodes
 * rows into a batch (row-batch.ts); batches go to the worker when full and on
 * the flush timer, and the worker commits them. Queries travel the same
 * ordered channel and are answered after everything written before them.
 */
export class EmbeddedTimeseries implements Sink {
  readonly name = "timeseries";
  readonly stats: TimeseriesStats = { rows: 0, flushes: 0, errors: 0, dropped: 0 };

  private readonly opts: EmbeddedTimeseriesOptions;
  private readonly log: Logger;
  private readonly flushRows: number;
  private readonly batchRows: number;
  private readonly maxBufferedRows: number;
  private readonly encoder = new RowBatchEncoder();
  private worker: Worker | undefined;
  private storedSeq = 0;
  /** Rows posted to the worker minus rows it reported received / still pending. */
  private posted = 0;
  private workerReceived = 0;
  private workerPending = 0;
  /** Stats of earlier workers (after a restart the new one counts from 0). */
  private readonly carried: TimeseriesStats = { rows: 0, flushes: 0, errors: 0, dropped: 0 };
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly flushIntervalMs: number;
  private eventsSinceCommit = false;
  private lastCommitAt = Date.now();
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(opts: EmbeddedTimeseriesOptions) {
    this.opts = opts;
    this.log = opts.log;
    this.flushRows = opts.flushRows ?? 50_000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 5000;
    this.batchRows = Math.min(this.flushRows, MAX_BATCH_ROWS);
    this.maxBufferedRows = opts.maxBufferedRows ?? 1_000_000;
  }

  async start(): Promise<void> {
    const { lastSeq } = await this.startWorker();
    this.storedSeq = lastSeq;
    this.started = true;
    this.log.info({ path: this.opts.path, lastSeq }, "time-series store open");
    this.flushTimer = setInterval(() => this.tick(), Math.min(this.flushIntervalMs, EVENT_FLUSH_MS));
    this.flushTimer.unref();
  }

  write(out: PipelineOutput): void {
    if (!this.started || this.stopping) return;
    if (!this.worker && this.encoder.pending >= this.maxBufferedRows) {
      // The thread is being restarted and the buffer is full: count what is lost.
      this.stats.dropped += out.observations.length + out.events.length + out.snapshots.length;
      this.carried.dropped = this.stats.dropped;
      return;
    }
    this.encoder.add(out);
    if (out.events.length > 0) this.eventsSinceCommit = true;
    if (this.encoder.pending >= this.batchRows) this.post(false);
  }

  /** The flush timer: commit when events wait or the signal rows' interval is up. */
  private tick(): void {
    const now = Date.now();
    if (!this.eventsSinceCommit && now - this.lastCommitAt < this.flushIntervalMs) {
      this.post(false); // keep batches moving; the worker buffers them
      return;
    }
    this.eventsSinceCommit = false;
    this.lastCommitAt = now;
    this.post(true);
  }

  /** Rows accepted and not yet committed (here, on the way, or in the worker's buffer). */
  queueDepth(): number {
    return this.encoder.pending + (this.posted - this.workerReceived) + this.workerPending;
  }

  /** Write everything accepted so far now (the timer does this on its own). Never rejects for write failures: they are logged and the rows kept. */
  async flush(): Promise<void> {
    if (!this.worker) return;
    this.post(false);
    await this.request({ type: "flush" });
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopWorker();
    return this.stopping;
  }

  /** Highest observation seq stored or accepted: a restarted pipeline continues after it. */
  latestSeq(): number {
    return Math.max(this.storedSeq, this.encoder.highestSeq);
  }

  range(q: RangeQuery): Promise<RangePoint[]> {
    return this.query({ kind: "range", args: q });
  }

  stateTimeline(q: TimeWindow & { machine: string }): Promise<StateSegment[]> {
    return this.query({ kind: "stateTimeline", args: q });
  }

  cycles(q: TimeWindow & { machine?: string; limit?: number }): Promise<CycleRecord[]> {
    return this.query({ kind: "cycles", args: q });
  }

  alarms(q: TimeWindow & { machine?: string; limit?: number }): Promise<AlarmRecord[]> {
    return this.query({ kind: "alarms", args: q });
  }

  transfers(q: TimeWindow & { machine?: string; limit?: number }): Promise<TransferRecord[]> {
    return this.query({ kind: "transfers", args: q });
  }

  /** Delete rows older than retentionDays now (the worker also does it every retentionIntervalMs). */
  async applyRetention(): Promise<number> {
    return (await this.request({ type: "retention" })) as number;
  }

  private async query<K extends StoreQuery["kind"]>(
    query: Extract<StoreQuery, { kind: K }>,
  ): Promise<QueryResult[K]> {
    this.post(false);
    return (await this.request({ type: "query", query })) as QueryResult[K];
  }

  /** Hand the current batch to the worker. */
  private post(commit: boolean): void {
    const worker = this.worker;
    if (!worker) return;
    if (this.encoder.pending === 0 && !commit) return;
    const batch = this.encoder.take();
    this.posted += batch.rows + batch.records.length;
    const message: StoreRequest = { type: "rows", batch, commit };
    worker.postMessage(message, batchBuffers(batch));
  }

  private request(
    message:
      | { type: "flush" }
      | { type: "retention" }
      | { type: "stop" }
      | { type: "query"; query: StoreQuery },
  ): Promise<unknown> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error("time-series store is not started (call start() first)"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id } satisfies StoreRequest);
    });
  }

  private startWorker(): Promise<{ lastSeq: number }> {
    const data: StoreWorkerData = {
      path: this.opts.path,
      retentionDays: this.opts.retentionDays,
      retentionIntervalMs: this.opts.retentionIntervalMs ?? 600_000,
      flushRows: this.flushRows,
      maxBufferedRows: this.maxBufferedRows,
      busyTimeoutMs: this.opts.busyTimeoutMs ?? 5000,
      checkpointIntervalMs: this.opts.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
    };
    const worker = new Worker(new URL("./store-worker.ts", import.meta.url), { workerData: data });
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on("message", (m: StoreReply) => {
        switch (m.type) {
          case "ready":
            ready = true;
            this.worker = worker;
            resolve({ lastSeq: m.lastSeq });
            return;
          case "fatal":
            reject(new Error(m.message));
            return;
          case "log":
            this.log[m.level](m.fields, m.msg);
            return;
          case "stats":
            this.takeStats(m.stats);
            return;
          case "reply": {
            this.takeStats(m.stats);
            const waiting = this.pending.get(m.id);
            this.pending.delete(m.id);
            if (!waiting) return;
            if (m.error) {
              const Kind = m.error.name === "RangeError" ? RangeError : Error;
              waiting.reject(new Kind(m.error.message));
            } else {
              waiting.resolve(m.value);
            }
            return;
          }
        }
      });
      worker.on("error", (err) => {
        if (!ready) reject(err);
        else this.log.error({ error: err.message }, "time-series store thread failed");
      });
      worker.on("exit", () => {
        if (!ready)
          return reject(new Error(`time-series store thread for ${this.opts.path} exited while opening`));
        if (this.worker === worker) this.lost(worker);
      });
    });
  }

  /**
   * The worker died (a bug or out of memory): what it had not committed is
   * gone and counted as dropped; a new worker takes over after a pause so the
   * gateway keeps running and storing. Rows written meanwhile wait here
   * (up to maxBufferedRows).
   */
  private lost(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    // What it had not committed, and the batch being filled: that batch numbers
    // its series the way the dead thread knew them, so a new one cannot read it.
    const lostRows = this.posted - this.workerReceived + this.workerPending + this.encoder.pending;
    this.carried.dropped += lostRows;
    this.carried.rows = this.stats.rows;
    this.carried.flushes = this.stats.flushes;
    this.carried.errors = this.stats.errors;
    this.posted = this.workerReceived = this.workerPending = 0;
    this.stats.dropped = this.carried.dropped;
    for (const p of this.pending.values()) p.reject(new Error("time-series store thread stopped"));
    this.pending.clear();
    this.encoder.forgetSeries();
    if (this.stopping) return;
    this.log.error({ path: this.opts.path, lostRows }, "time-series store thread stopped; restarting it");
    setTimeout(() => {
      if (this.stopping) return;
      this.startWorker().then(
        ({ lastSeq }) => {
          this.storedSeq = Math.max(this.storedSeq, lastSeq);
          this.log.info({ path: this.opts.path }, "time-series store thread restarted");
          this.post(true); // what was written meanwhile
        },
        (err: Error) => this.log.error({ error: err.message }, "time-series store could not be reopened"),
      );
    }, RESTART_DELAY_MS).unref();
  }

  private takeStats(s: StoreStats): void {
    this.workerReceived = s.received;
    this.workerPending = s.pending;
    this.stats.rows = this.carried.rows + s.rows;
    this.stats.flushes = this.carried.flushes + s.flushes;
    this.stats.errors = this.carried.errors + s.errors;
    this.stats.dropped = this.carried.dropped + s.dropped;
  }

  private async stopWorker(): Promise<void> {
    clearInterval(this.flushTimer);
    this.flushTimer = undefined;
    const worker = this.worker;
    if (!worker) {
      // Stopped while its thread was being restarted: nothing can write these any more.
      if (this.encoder.pending > 0) {
        this.log.error(
          { rows: this.encoder.pending, path: this.opts.path },
          "time-series store closed with unwritten rows",
        );
      }
      return;
    }
    this.post(false);
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    await this.request({ type: "stop" });
    this.worker = undefined;
    await exited;
  }
}
