import type {
  AlarmRecord,
  CycleRecord,
  RangePoint,
  RangeQuery,
  StateSegment,
  TimeWindow,
  TransferRecord,
} from "./queries.ts";
import type { RowBatch } from "./row-batch.ts";

// The messages between EmbeddedTimeseries (the gateway's event loop) and its
// worker thread (store-worker.ts). Both sides are this codebase, so they are
// typed rather than parsed. Messages are handled strictly in order, which is
// what makes a query see every batch posted before it.

// A checkpoint copies every page changed since the last one back into the
// file (and is the only fsync with synchronous = NORMAL). The hot pages —
// one leaf per series — change in every commit, so a checkpoint every 5
// commits copies each of them once instead of five times: at 1 s it was
// 60 % of the store's CPU. The price: a power cut may lose the last ~5 s.
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 5000;

/** The store thread's nice value on Linux (store-worker.ts says why). */
export const STORE_THREAD_NICE = 10;

export type StoreWorkerData = {
  path: string;
  retentionDays: number;
  retentionIntervalMs: number;
  flushRows: number;
  maxBufferedRows: number;
  busyTimeoutMs: number;
  checkpointIntervalMs: number;
};

export type StoreQuery =
  | { kind: "range"; args: RangeQuery }
  | { kind: "stateTimeline"; args: TimeWindow & { machine: string } }
  | { kind: "cycles"; args: TimeWindow & { machine?: string; limit?: number } }
  | { kind: "alarms"; args: TimeWindow & { machine?: string; limit?: number } }
  | { kind: "transfers"; args: TimeWindow & { machine?: string; limit?: number } };

export type QueryResult = {
  range: RangePoint[];
  stateTimeline: StateSegment[];
  cycles: CycleRecord[];
  alarms: AlarmRecord[];
  transfers: TransferRecord[];
};

export type StoreRequest =
  /** Rows to buffer; `commit` asks for everything buffered to be written now (the flush timer). */
  | { type: "rows"; batch: RowBatch; commit: boolean }
  | { type: "flush"; id: number }
  | { type: "query"; id: number; query: StoreQuery }
  | { type: "retention"; id: number }
  | { type: "stop"; id: number };

export type StoreStats = {
  /** Signal rows committed. */
  rows: number;
  /** Transactions committed. */
  flushes: number;
  /** Failed transactions (rows kept and retried). */
  errors: number;
  /** Rows dropped because the buffer overflowed while writes failed. */
  dropped: number;
  /** Rows (observations, events, states) the worker has received. */
  received: number;
  /** Received rows not yet committed. */
  pending: number;
};

export type StoreReply =
  | { type: "ready"; lastSeq: number }
  | { type: "fatal"; message: string }
  | { type: "stats"; stats: StoreStats }
  | {
      type: "reply";
      id: number;
      stats: StoreStats;
      value?: unknown;
      error?: { name: string; message: string };
    }
  | { type: "log"; level: "info" | "warn" | "error"; fields: Record<string, unknown>; msg: string };
