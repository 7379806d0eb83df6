import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { BatchWriter } from "./batch-writer.ts";
import { alarms, cycles, range, stateTimeline, transfers } from "./queries.ts";
import { batchRows, type RowBatch } from "./row-batch.ts";
import { migrate } from "./schema.ts";
import { storageError } from "./storage-errors.ts";
import type { StoreQuery, StoreStats } from "./store-protocol.ts";

// Everything the embedded store does with its SQLite file, synchronously, in
// one place: it runs in the store's worker thread (store-worker.ts), where a
// 30 ms commit delays nobody but the next dashboard query.

export type EngineLog = (
  level: "info" | "warn" | "error",
  fields: Record<string, unknown>,
  msg: string,
) => void;

export type StoreEngineOptions = {
  path: string;
  retentionDays: number;
  flushRows: number;
  maxBufferedRows: number;
  busyTimeoutMs: number;
  /** How often the WAL is copied into the file (DEFAULT_CHECKPOINT_INTERVAL_MS says why 5 s). */
  checkpointIntervalMs: number;
  log: EngineLog;
};

const DAY_MS = 86_400_000;
const MAX_WAL_BYTES = 64 * 1024 * 1024;

export class StoreEngine {
  readonly stats: StoreStats = { rows: 0, flushes: 0, errors: 0, dropped: 0, received: 0, pending: 0 };

  private readonly opts: StoreEngineOptions;
  private db: DatabaseSync | undefined;
  private writer: BatchWriter | undefined;
  private buffer: RowBatch[] = [];
  private failing = false;
  private retentionRunning = false;
  /** Commits since the last checkpoint (the WAL holds pages the file does not). */
  private uncheckpointed = false;
  private lastCheckpoint = 0;

  constructor(opts: StoreEngineOptions) {
    this.opts = opts;
  }

  /** Open (and create or migrate) the file. Throws an Error whose message names the path and the fix. */
  open(): { lastSeq: number } {
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
      db = new DatabaseSync(path, { timeout: this.opts.busyTimeoutMs });
      // WAL: readers (a backup, the sqlite3 shell) never block the writer.
      // NORMAL is safe in WAL mode; a power cut may lose the last commits, never the file.
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      // 2,000 interleaved series touch ~2,000 leaf pages per flush; with
      // SQLite's default 2 MB cache they are evicted and re-read every time.
      db.exec("PRAGMA cache_size = -65536"); // KiB: 64 MiB
      db.exec(`PRAGMA journal_size_limit = ${MAX_WAL_BYTES}`); // shrink the WAL file back after a checkpoint
      // Checkpoints on a clock instead of by WAL size (checkpoint()).
      db.exec("PRAGMA wal_autocheckpoint = 0");
      migrate(db, path);
      this.writer = new BatchWriter(db);
    } catch (err) {
      db?.close();
      if (err instanceof Error && err.message.startsWith("time-series database")) throw err;
      throw storageError("open", path, err);
    }
    this.db = db;
    this.lastCheckpoint = Date.now();
    return { lastSeq: this.writer.lastSeq() };
  }

  /** Buffer a batch; commits at once when flushRows rows are waiting. */
  add(batch: RowBatch): void {
    this.writer?.learnSeries(batch);
    this.buffer.push(batch);
    const rows = batchRows(batch);
    this.stats.received += rows;
    this.stats.pending += rows;
    if (this.stats.pending >= this.opts.flushRows) this.commit();
  }

  /** Write everything buffered, in transactions of about flushRows rows. Failures are logged; rows kept. */
  commit(): void {
    while (this.buffer.length > 0 && this.commitChunk()) {}
    this.checkpointIfDue();
  }

  query(q: StoreQuery): unknown {
    const db = this.db;
    if (!db) throw new Error("time-series store is not open");
    this.commit(); // a query sees everything written before it
    switch (q.kind) {
      case "range":
        return range(db, q.args);
      case "stateTimeline":
        return stateTimeline(db, q.args);
      case "cycles":
        return cycles(db, q.args);
      case "alarms":
        return alarms(db, q.args);
      case "transfers":
        return transfers(db, q.args);
    }
  }

  /** PASSIVE checkpoint every checkpointIntervalMs while commits come in (and once more when they stop). */
  checkpointIfDue(): void {
    const db = this.db;
    if (!db || this.opts.path === ":memory:" || !this.uncheckpointed) return;
    if (Date.now() - this.lastCheckpoint < this.opts.checkpointIntervalMs) return;
    this.lastCheckpoint = Date.now();
    try {
      db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      this.uncheckpointed = false;
      // SQLite rewinds the WAL only when a commit finds it fully checkpointed;
      // another connection reading for a long time (a backup) prevents that
      // and the file grows. TRUNCATE then waits for it and empties the file.
      if (walBytes(this.opts.path) > MAX_WAL_BYTES) db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (err) {
      this.opts.log(
        "warn",
        { error: storageError("checkpoint", this.opts.path, err).message },
        "WAL checkpoint failed",
      );
    }
  }

  /**
   * Delete signal rows and raw events older than retentionDays. One series
   * per statement, yielding in between, so commits and queries are not held
   * up by a large backlog. Cycles, alarms and states are kept (small; evidence uses them).
   */
  async applyRetention(): Promise<number> {
    const db = this.db;
    if (!db || this.opts.retentionDays <= 0 || this.retentionRunning) return 0;
    this.retentionRunning = true;
    const cutoff = Date.now() - this.opts.retentionDays * DAY_MS;
    let deleted = 0;
    try {
      const ids = db.prepare("SELECT id FROM series").all() as { id: number }[];
      const deleteSignal = db.prepare("DELETE FROM signal WHERE series = ? AND ts < ?");
      for (const { id } of ids) {
        if (this.db !== db) return deleted; // closed meanwhile
        deleted += Number(deleteSignal.run(id, cutoff).changes);
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (this.db !== db) return deleted;
      deleted += Number(db.prepare("DELETE FROM event WHERE ts < ?").run(cutoff).changes);
      if (deleted > 0) {
        this.uncheckpointed = true;
        this.opts.log(
          "info",
          { deleted, cutoff: new Date(cutoff).toISOString() },
          "retention: old rows deleted",
        );
      }
    } catch (err) {
      this.opts.log(
        "error",
        { error: storageError("clean up", this.opts.path, err).message },
        "retention failed",
      );
    } finally {
      this.retentionRunning = false;
    }
    return deleted;
  }

  /** Commit what is left and close. The last connection to close copies the WAL into the file and removes it. */
  close(): void {
    const db = this.db;
    if (!db) return;
    this.commit();
    if (this.stats.pending > 0) {
      this.opts.log(
        "error",
        { rows: this.stats.pending, path: this.opts.path },
        "time-series store closed with unwritten rows",
      );
    }
    db.close();
    this.db = undefined;
    this.writer = undefined;
  }

  /** Commit batches from the front of the buffer, up to flushRows rows (at least one batch). */
  private commitChunk(): boolean {
    const writer = this.writer;
    if (!writer) return false;
    let take = 0;
    let rows = 0;
    while (take < this.buffer.length) {
      const next = batchRows(this.buffer[take]!);
      if (take > 0 && rows + next > this.opts.flushRows) break;
      rows += next;
      take++;
    }
    try {
      this.stats.rows += writer.write(this.buffer.slice(0, take));
    } catch (err) {
      this.stats.errors++;
      if (!this.failing) {
        this.failing = true;
        this.opts.log(
          "error",
          { error: storageError("write to", this.opts.path, err).message },
          "time-series write failed; retrying",
        );
      }
      this.shedOverflow();
      return false;
    }
    this.buffer.splice(0, take);
    this.stats.pending -= rows;
    this.stats.flushes++;
    this.uncheckpointed = true;
    if (this.failing) {
      this.failing = false;
      this.opts.log("info", { path: this.opts.path }, "time-series writes recovered");
    }
    return true;
  }

  private shedOverflow(): void {
    while (this.stats.pending > this.opts.maxBufferedRows && this.buffer.length > 1) {
      const dropped = batchRows(this.buffer.shift()!);
      this.stats.pending -= dropped;
      this.stats.dropped += dropped;
    }
  }
}

function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}
