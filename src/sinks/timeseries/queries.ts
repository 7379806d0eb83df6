import type { DatabaseSync } from "node:sqlite";
import type { CycleOutcome, MachineStateName, ProgramTransferEvent } from "../../core/events.ts";

// The questions the dashboard asks of the embedded store. Windows are
// half-open, [from, to), in UTC milliseconds.

export type TimeWindow = { from: number; to: number };

export type RangeQuery = TimeWindow & { machine: string; signal: string; maxPoints: number };

/**
 * One point of range(). When the window holds more rows than maxPoints,
 * rows are grouped into equal buckets: `ts` is the bucket start, numbers
 * give avg (value) with min and max, text gives the bucket's last value.
 * Otherwise every row is returned as stored (exact ts, no min/max).
 */
export type RangePoint = {
  ts: number;
  value: number | string | null;
  min?: number | null;
  max?: number | null;
};

export type StateSegment = { state: MachineStateName; from: number; to: number };

export type CycleRecord = {
  machine: string;
  program: string | null;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  partsMade: number;
  outcome: CycleOutcome;
  session: string | null;
};

export type AlarmRecord = {
  machine: string;
  key: string;
  nativeCode: string;
  severity: "warning" | "fault" | null;
  nativeSeverity: string | null;
  text: string;
  raisedAt: number;
  /** null while the alarm is active. */
  clearedAt: number | null;
  durationMs: number | null;
  session: string | null;
};

/** A finished program transfer (DNC): `endedAt` is the event's time. */
export type TransferRecord = {
  machine: string;
  endedAt: number;
  direction: ProgramTransferEvent["direction"];
  file: string;
  checksum: string;
  bytes: number;
  durationMs: number;
  result: ProgramTransferEvent["result"];
  /** Why it failed; null when it did not. */
  error: string | null;
  session: string | null;
};

// The argument checks, limits and state segments below are the history
// contract's (src/sinks/history/history.ts re-exports them): the InfluxDB
// history answers with the same rules and messages.

export const HISTORY_MAX_POINTS = 100_000;
export const HISTORY_DEFAULT_LIMIT = 10_000;

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

/**
 * Back-to-back segments from state changes (oldest first, the state in effect
 * at `from` first when there is one), clipped to the window; equal neighbours merged.
 */
export function stateSegments(rows: readonly { ts: number; state: string }[], q: TimeWindow): StateSegment[] {
  const segments: StateSegment[] = [];
  rows.forEach((row, i) => {
    const start = Math.max(row.ts, q.from);
    const end = rows[i + 1]?.ts ?? q.to;
    if (end <= start) return;
    const previous = segments.at(-1);
    if (previous && previous.state === row.state && previous.to === start) previous.to = end;
    // Both stores hold only the states the pipeline wrote.
    else segments.push({ state: row.state as MachineStateName, from: start, to: end });
  });
  return segments;
}

export function range(db: DatabaseSync, q: RangeQuery): RangePoint[] {
  checkWindow(q, "range");
  checkMaxPoints(q.maxPoints);
  const series = db
    .prepare("SELECT id, kind FROM series WHERE machine = ? AND signal = ?")
    .get(q.machine, q.signal) as { id: number; kind: "num" | "text" | null } | undefined;
  if (!series) return [];
  const width = Math.max(1, Math.ceil((q.to - q.from) / q.maxPoints));
  const params: BucketParams = { series: series.id, from: q.from, to: q.to, width };
  const where = "series = :series AND ts >= :from AND ts < :to";
  const bucket = "CAST((ts - :from) / :width AS INTEGER)";

  if (series.kind === "text") {
    // SQLite takes the bare columns from the row that holds max(ts): the bucket's last value.
    const rows = db
      .prepare(
        `SELECT ${bucket} AS b, max(ts) AS last, value_text, value_num, count(*) AS n FROM signal WHERE ${where} GROUP BY b ORDER BY b`,
      )
      .all(params) as { b: number; value_text: string | null; value_num: number | null; n: number }[];
    if (total(rows) <= q.maxPoints) return raw(db, params, where, "text");
    return rows.map((r) => ({ ts: q.from + r.b * width, value: r.value_text ?? r.value_num }));
  }

  const rows = db
    .prepare(
      `SELECT ${bucket} AS b, avg(value_num) AS avg, min(value_num) AS min, max(value_num) AS max, count(*) AS n FROM signal WHERE ${where} GROUP BY b ORDER BY b`,
    )
    .all(params) as { b: number; avg: number | null; min: number | null; max: number | null; n: number }[];
  if (total(rows) <= q.maxPoints) return raw(db, params, where, "num");
  return rows.map((r) => ({ ts: q.from + r.b * width, value: r.avg, min: r.min, max: r.max }));
}

function total(rows: readonly { n: number }[]): number {
  let n = 0;
  for (const r of rows) n += r.n;
  return n;
}

type BucketParams = { series: number; from: number; to: number; width: number };

function raw(db: DatabaseSync, params: BucketParams, where: string, kind: "num" | "text"): RangePoint[] {
  const rows = db
    .prepare(`SELECT ts, value_num, value_text FROM signal WHERE ${where} ORDER BY ts, seq`)
    .all({ series: params.series, from: params.from, to: params.to }) as {
    ts: number;
    value_num: number | null;
    value_text: string | null;
  }[];
  return rows.map((r) => ({
    ts: r.ts,
    value: kind === "text" ? (r.value_text ?? r.value_num) : r.value_num,
  }));
}

/**
 * The machine's states over the window as back-to-back segments, starting
 * with the state in effect at `from` (if one was recorded before it) and
 * ending at `to`.
 */
export function stateTimeline(db: DatabaseSync, q: TimeWindow & { machine: string }): StateSegment[] {
  checkWindow(q, "stateTimeline");
  const rows = db
    .prepare(
      `SELECT ts, state FROM state
       WHERE machine = :machine AND ts < :to
         AND ts >= coalesce((SELECT max(ts) FROM state WHERE machine = :machine AND ts <= :from), :from)
       ORDER BY ts, rowid`,
    )
    .all({ machine: q.machine, from: q.from, to: q.to }) as { ts: number; state: MachineStateName }[];
  return stateSegments(rows, q);
}

/** Cycles that ended at or after `from` and started before `to`, oldest first. */
export function cycles(
  db: DatabaseSync,
  q: TimeWindow & { machine?: string; limit?: number },
): CycleRecord[] {
  checkWindow(q, "cycles");
  const byMachine = q.machine === undefined ? "" : "AND machine = :machine";
  const rows = db
    .prepare(
      `SELECT machine, program, start_ts, end_ts, duration_ms, parts_made, outcome, session FROM cycle
       WHERE end_ts >= :from AND start_ts < :to ${byMachine} ORDER BY start_ts, id LIMIT :limit`,
    )
    .all({
      from: q.from,
      to: q.to,
      limit: q.limit ?? HISTORY_DEFAULT_LIMIT,
      ...(q.machine === undefined ? {} : { machine: q.machine }),
    }) as {
    machine: string;
    program: string | null;
    start_ts: number;
    end_ts: number;
    duration_ms: number;
    parts_made: number;
    outcome: CycleOutcome;
    session: string | null;
  }[];
  return rows.map((r) => ({
    machine: r.machine,
    program: r.program,
    startedAt: r.start_ts,
    endedAt: r.end_ts,
    durationMs: r.duration_ms,
    partsMade: r.parts_made,
    outcome: r.outcome,
    session: r.session,
  }));
}

/** Alarms active at any time in the window (raised before `to`, not cleared before `from`), oldest first. */
export function alarms(
  db: DatabaseSync,
  q: TimeWindow & { machine?: string; limit?: number },
): AlarmRecord[] {
  checkWindow(q, "alarms");
  const byMachine = q.machine === undefined ? "" : "AND machine = :machine";
  const rows = db
    .prepare(
      `SELECT machine, alarm_key, native_code, severity, native_severity, text, raised_ts, cleared_ts, duration_ms, session
       FROM alarm WHERE raised_ts < :to AND (cleared_ts IS NULL OR cleared_ts >= :from) ${byMachine}
       ORDER BY raised_ts, id LIMIT :limit`,
    )
    .all({
      from: q.from,
      to: q.to,
      limit: q.limit ?? HISTORY_DEFAULT_LIMIT,
      ...(q.machine === undefined ? {} : { machine: q.machine }),
    }) as {
    machine: string;
    alarm_key: string;
    native_code: string;
    severity: "warning" | "fault" | null;
    native_severity: string | null;
    text: string;
    raised_ts: number;
    cleared_ts: number | null;
    duration_ms: number | null;
    session: string | null;
  }[];
  return rows.map((r) => ({
    machine: r.machine,
    key: r.alarm_key,
    nativeCode: r.native_code,
    severity: r.severity,
    nativeSeverity: r.native_severity,
    text: r.text,
    raisedAt: r.raised_ts,
    clearedAt: r.cleared_ts,
    durationMs: r.duration_ms,
    session: r.session,
  }));
}

/**
 * Program transfers that ended in the window, oldest first. They live in the
 * raw event log (the `event` table), so they follow its retention.
 */
export function transfers(
  db: DatabaseSync,
  q: TimeWindow & { machine?: string; limit?: number },
): TransferRecord[] {
  checkWindow(q, "transfers");
  const byMachine = q.machine === undefined ? "" : "AND machine = :machine";
  const rows = db
    .prepare(
      `SELECT machine, ts, session, body FROM event
       WHERE type = 'program.transfer' AND ts >= :from AND ts < :to ${byMachine}
       ORDER BY ts, id LIMIT :limit`,
    )
    .all({
      from: q.from,
      to: q.to,
      limit: q.limit ?? HISTORY_DEFAULT_LIMIT,
      ...(q.machine === undefined ? {} : { machine: q.machine }),
    }) as { machine: string; ts: number; session: string | null; body: string }[];
  return rows.map((r) => {
    // Written by this store from a ProgramTransferEvent (batch-writer.ts).
    const e = JSON.parse(r.body) as ProgramTransferEvent;
    return {
      machine: r.machine,
      endedAt: r.ts,
      direction: e.direction,
      file: e.file,
      checksum: e.checksum,
      bytes: e.bytes,
      durationMs: e.durationMs,
      result: e.result,
      error: e.error ?? null,
      session: r.session,
    };
  });
}
