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

export const HISTORY_MAX_POINTS = 100_000;
export const HISTORY_DEFAULT_LIMIT = 10_000;

/** The same argument checks (and messages) for every implementation. */
export function checkWindow(q: TimeWindow, what: string): void {
  if (!Number.isFinite(q.from) || !Number.isFinite(q.to) || q.to <= q.from) {
    throw new RangeError(
      `${what}: expected finite from < to (ms since epoch), got from=${q.from} to=${q.to}`,
    );
  }
}

export function checkMaxPoints(maxPoints: number): void {
  if (!Number.isInteger(maxPoints) || maxPoints < 1 || maxPoints > HISTORY_MAX_POINTS) {
    throw new RangeError(`range: expected maxPoints an integer 1–${HISTORY_MAX_POINTS}, got ${maxPoints}`);
  }
}

/** Back-to-back segments from state changes (oldest first), clipped to the window; equal neighbours merged. */
export function segmentsOf(rows: readonly { ts: number; state: string }[], q: TimeWindow): StateSegment[] {
  const segments: StateSegment[] = [];
  rows.forEach((row, i) => {
    const start = Math.max(row.ts, q.from);
    const end = rows[i + 1]?.ts ?? q.to;
    if (end <= start) return;
    const previous = segments.at(-1);
    if (previous && previous.state === row.state && previous.to === start) previous.to = end;
    else segments.push({ state: row.state as StateSegment["state"], from: start, to: end });
  });
  return segments;
}
