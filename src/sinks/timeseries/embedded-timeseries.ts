import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Logger } from "pino";
import type { PipelineOutput, Sink } from "../../core/contracts.ts";
import { BatchWriter } from "./batch-writer.ts";
import {
  type AlarmRecord,
  alarms,
  type CycleRecord,
  cycles,
  type RangePoint,
  type RangeQuery,
  range,
  type StateSegment,
  stateTimeline,
  type TimeWindow,
} from "./queries.ts";
import { migrate } from "./schema.ts";
import { storageError } from "./storage-errors.ts";
import { WalCheckpointer } from "./wal-checkpointer.ts";

export type EmbeddedTimeseriesOptions = {
  /** SQLite file; parent folders are created. ":memory:" for throw-away stores. */
  path: string;
  /** Days of signal rows (and raw events) to keep; 0 keeps everything. */
  retentionDays: number;
  log: Logger;
  /**
   * Write what is buffered at least this often. Default 1,000 ms: every
   * flush rewrites each B-tree page it touches, and with thousands of
   * interleaved series that is ~one page per series per flush, so fewer,
   * larger flushes cost less per row (bench figures in README.md). Queries
   * flush first, so this does not delay what the dashboard sees.
   */
  flushIntervalMs?: number;
  /** Rows per transaction; reaching it also triggers a write at once. Default 10,000. */
  flushRows?: number;
  /** How often old rows are deleted. Default 10 minutes. */
  retentionIntervalMs?: number;
  /** While the disk refuses writes, keep at most this many rows in memory (oldest dropped). Default 1,000,000. */
  maxBufferedRows?: number;
  /** How long a write waits for a lock held by another connection (e.g. a backup). Default 5,000 ms. */
  busyTimeoutMs?: number;
  now?: () => number;
};

export type TimeseriesStats = {
  /** Signal rows committed. */
  rows: number;
  /** Transactions committed. */
  flushes: number;
  /** Failed transactions (rows kept and retried). */
  errors: number;
  /** Rows dropped because the buffer overflowed while writes failed. */
  dropped: number;
};

const DAY_MS = 86_400_000;
const CHECKPOINT_INTERVAL_MS = 1000;
const MAX_WAL_BYTES = 64 * 1024 * 1024;

function rowsOf(out: PipelineOutput): number {
  return out.observations.length + out.events.length + out.snapshots.length;
}

/**
 * The embedded time-series store (DESIGN.md "Time-series store"): a
 * node:sqlite file in WAL mode. write() only buffers; a timer (or a full
 * buffer) commits in transactions of up to flushRows rows. Queries write the
 * buffer first, so they always see everything written before them.
 */
export class EmbeddedTimeseries implements Sink {
  readonly name = "timeseries";
  readonly stats: TimeseriesStats = { rows: 0, flushes: 0, errors: 0, dropped: 0 };

  private readonly opts: EmbeddedTimeseriesOptions;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly flushRows: number;
  private db: DatabaseSync | undefined;
  private writer: BatchWriter | undefined;
  private checkpointer: WalCheckpointer | undefined;
  private buffer: PipelineOutput[] = [];
  private bufferedRows = 0;
  private bufferedMaxSeq = 0;
  private drainScheduled = false;
  private failing = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private retentionRunning = false;

  constructor(opts: EmbeddedTimeseriesOptions) {
    this.opts = opts;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.flushRows = opts.flushRows ?? 10_000;
  }

  async start(): Promise<void> {
    const path = this.opts.path;
    if (path !== ":memory:") {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (err) {
        throw storageError("create the folder for the", path, err);
      }
    }
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(path, { timeout: this.opts.busyTimeoutMs ?? 5000 });
      // WAL: readers (dashboard queries) never block the writer. NORMAL is
      // safe in WAL mode; a power cut may lose the last commits, never the file.
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      // 2,000 interleaved series touch ~2,000 leaf pages per flush; with
      // SQLite's default 2 MB cache they are evicted and re-read every time.
      db.exec("PRAGMA cache_size = -65536"); // KiB: 64 MiB
      db.exec(`PRAGMA journal_size_limit = ${MAX_WAL_BYTES}`); // shrink the WAL file back after a checkpoint
      migrate(db, path);
      this.writer = new BatchWriter(db);
      if (path !== ":memory:") {
        db.exec("PRAGMA wal_autocheckpoint = 0"); // the checkpointer thread does it (wal-checkpointer.ts)
        this.checkpointer = new WalCheckpointer({
          path,
          intervalMs: CHECKPOINT_INTERVAL_MS,
          busyTimeoutMs: this.opts.busyTimeoutMs ?? 5000,
          maxWalBytes: MAX_WAL_BYTES,
          log: this.log,
          onLost: () => {
            this.checkpointer = undefined;
            this.db?.exec("PRAGMA wal_autocheckpoint = 1000");
          },
        });
      }
    } catch (err) {
      db?.close();
      if (err instanceof Error && err.message.startsWith("time-series database")) throw err;
      throw storageError("open", path, err);
    }
    this.db = db;
    this.log.info({ path, lastSeq: this.writer.lastSeq() }, "time-series store open");

    this.flushTimer = setInterval(() => this.drain(), this.opts.flushIntervalMs ?? 1000);
    this.flushTimer.unref();
    if (this.opts.retentionDays > 0) {
      void this.applyRetention();
      this.retentionTimer = setInterval(
        () => void this.applyRetention(),
        this.opts.retentionIntervalMs ?? 600_000,
      );
      this.retentionTimer.unref();
    }
  }

  write(out: PipelineOutput): void {
    const rows = rowsOf(out);
    if (rows === 0) return;
    // Copies of the arrays: the caller may reuse its own after we return.
    this.buffer.push({
      observations: out.observations.slice(),
      events: out.events.slice(),
      snapshots: out.snapshots.slice(),
    });
    this.bufferedRows += rows;
    const last = out.observations.at(-1);
    if (last && last.seq > this.bufferedMaxSeq) this.bufferedMaxSeq = last.seq;
    if (this.bufferedRows >= this.flushRows && !this.drainScheduled && this.writer) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        this.drain();
      });
    }
  }

  queueDepth(): number {
    return this.bufferedRows;
  }

  /** Write everything buffered now (the timer does this on its own). Never throws: failures are logged, rows kept. */
  flush(): void {
    while (this.buffer.length > 0 && this.writeChunk()) {}
  }

  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.retentionTimer);
    this.flushTimer = undefined;
    this.retentionTimer = undefined;
    if (!this.db) return;
    this.flush();
    if (this.bufferedRows > 0) {
      this.log.error(
        { rows: this.bufferedRows, path: this.opts.path },
        "time-series store closed with unwritten rows",
      );
    }
    this.db.close();
    this.db = undefined;
    this.writer = undefined;
    // Closed last, the checkpointer's connection copies the rest of the WAL
    // into the file and removes the WAL, leaving one self-contained file.
    const checkpointer = this.checkpointer;
    this.checkpointer = undefined;
    await checkpointer?.stop();
  }

  /** Highest observation seq stored or buffered: a restarted pipeline continues after it. */
  latestSeq(): number {
    return Math.max(this.writer?.lastSeq() ?? 0, this.bufferedMaxSeq);
  }

  range(q: RangeQuery): RangePoint[] {
    return range(this.readyDb(), q);
  }

  stateTimeline(q: TimeWindow & { machine: string }): StateSegment[] {
    return stateTimeline(this.readyDb(), q);
  }

  cycles(q: TimeWindow & { machine?: string; limit?: number }): CycleRecord[] {
    return cycles(this.readyDb(), q);
  }

  alarms(q: TimeWindow & { machine?: string; limit?: number }): AlarmRecord[] {
    return alarms(this.readyDb(), q);
  }

  /**
   * Delete signal rows and raw events older than retentionDays. One series
   * per statement, yielding in between, so a large backlog never stalls the
   * event loop. Cycles, alarms and states are kept (small; evidence uses them).
   */
  async applyRetention(): Promise<number> {
    const db = this.db;
    if (!db || this.opts.retentionDays <= 0 || this.retentionRunning) return 0;
    this.retentionRunning = true;
    const cutoff = this.now() - this.opts.retentionDays * DAY_MS;
    let deleted = 0;
    try {
      const ids = db.prepare("SELECT id FROM series").all() as { id: number }[];
      const deleteSignal = db.prepare("DELETE FROM signal WHERE series = ? AND ts < ?");
      for (const { id } of ids) {
        if (this.db !== db) return deleted; // stopped meanwhile
        deleted += Number(deleteSignal.run(id, cutoff).changes);
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (this.db !== db) return deleted;
      deleted += Number(db.prepare("DELETE FROM event WHERE ts < ?").run(cutoff).changes);
      if (deleted > 0)
        this.log.info({ deleted, cutoff: new Date(cutoff).toISOString() }, "retention: old rows deleted");
    } catch (err) {
      this.log.error({ error: storageError("clean up", this.opts.path, err).message }, "retention failed");
    } finally {
      this.retentionRunning = false;
    }
    return deleted;
  }

  private readyDb(): DatabaseSync {
    if (!this.db) throw new Error("time-series store is not started (call start() first)");
    this.flush();
    return this.db;
  }

  /** Timer/threshold path: one chunk now, the rest after other work had a turn. */
  private drain(): void {
    if (this.buffer.length === 0) return;
    if (this.checkpointer?.truncating()) return; // the next tick writes (wal-checkpointer.ts)
    if (this.writeChunk() && this.buffer.length > 0 && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        this.drain();
      });
    }
  }

  /** Commit up to flushRows rows from the front of the buffer. Returns false on failure. */
  private writeChunk(): boolean {
    const writer = this.writer;
    if (!writer) return false;
    let take = 0;
    let rows = 0;
    while (take < this.buffer.length && (take === 0 || rows < this.flushRows)) {
      rows += rowsOf(this.buffer[take]!);
      take++;
    }
    const chunk = this.buffer.slice(0, take);
    try {
      this.stats.rows += writer.write(chunk);
    } catch (err) {
      this.stats.errors++;
      if (!this.failing) {
        this.failing = true;
        this.log.error(
          { error: storageError("write to", this.opts.path, err).message },
          "time-series write failed; retrying",
        );
      }
      this.shedOverflow();
      return false;
    }
    this.buffer.splice(0, take);
    this.bufferedRows -= rows;
    this.stats.flushes++;
    if (this.failing) {
      this.failing = false;
      this.log.info({ path: this.opts.path }, "time-series writes recovered");
    }
    return true;
  }

  private shedOverflow(): void {
    const max = this.opts.maxBufferedRows ?? 1_000_000;
    while (this.bufferedRows > max && this.buffer.length > 1) {
      const dropped = rowsOf(this.buffer.shift()!);
      this.bufferedRows -= dropped;
      this.stats.dropped += dropped;
    }
  }
}
