// The one question interface the dashboard asks of stored history, whichever
// store holds it: the embedded SQLite store or InfluxDB. Both implementations
// pass the same contract suite (test/sinks/history/). Windows are half-open,
// [from, to), in UTC milliseconds; the record types and the downsampling rules
// are the embedded store's (src/sinks/README.md "Queries").
import type {
  AlarmRecord,
  CycleRecord,
  RangePoint,
  RangeQuery,
  StateSegment,
  TimeWindow,
  TransferRecord,
} from "../timeseries/queries.ts";

export type { AlarmRecord, CycleRecord, RangePoint, RangeQuery, StateSegment, TimeWindow, TransferRecord };

export type MachineWindow = TimeWindow & { machine: string };
export type FleetWindow = TimeWindow & { machine?: string; limit?: number };

export interface HistoryStore {
  /** Which store answers ("embedded", "influx"). */
  readonly kind: string;
  /** One signal of one machine: raw rows, or maxPoints buckets (avg/min/max; last value for text). */
  range(q: RangeQuery): Promise<RangePoint[]>;
  /** The machine's states as back-to-back segments covering the window from the state in effect at `from`. */
  stateTimeline(q: MachineWindow): Promise<StateSegment[]>;
  /** Cycles that ended at/after `from` and started before `to`, oldest first. */
  cycles(q: FleetWindow): Promise<CycleRecord[]>;
  /** Alarms active at any time in the window, oldest first; clearedAt null while active. */
  alarms(q: FleetWindow): Promise<AlarmRecord[]>;
  /** Program transfers that ended in the window, oldest first. */
  transfers(q: FleetWindow): Promise<TransferRecord[]>;
}

// The argument checks (and messages), limits and state segments are the same for every
// implementation: the embedded store's, re-exported here for the others.
export {
  checkMaxPoints,
  checkWindow,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_POINTS,
  stateSegments,
} from "../timeseries/queries.ts";
