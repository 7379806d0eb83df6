import type { PipelineOutput } from "../../core/contracts.ts";
import type { MachineEvent } from "../../core/events.ts";
import type { Observation } from "../../core/observation.ts";

// Pipeline output → InfluxDB points (DESIGN.md "Time-series store"; every
// measurement, tag and field is documented in README.md). Tags are what
// queries group and filter by, and stay few: machine, signal, session
// pseudonym. Everything else is a field.

/** Timestamp precision of the write API (InfluxDB's own names). */
export type Precision = "n" | "u" | "ms" | "s";

export type FieldValue = number | string | boolean;

/** A point as stored in the outbox: [measurement, tags, fields, time in `precision` units]. */
export type StoredPoint = [string, Record<string, string>, Record<string, FieldValue>, string];

/**
 * Two points of one series with the same timestamp are one point in InfluxDB:
 * the second overwrites the first. Machines report in milliseconds (or
 * coarser), so two values of a signal in the same millisecond are common in
 * replays. With n/u precision the sub-millisecond digits carry a number that
 * is unique per point (the observation seq, or a counter), so every point
 * stays; the digits are not a real time. With ms/s precision such points
 * collapse (documented).
 */
export function pointTime(ms: number, unique: number, precision: Precision): string {
  const whole = Math.trunc(ms);
  switch (precision) {
    case "n":
      return `${whole}${String(unique % 1_000_000).padStart(6, "0")}`;
    case "u":
      return `${whole}${String(unique % 1000).padStart(3, "0")}`;
    case "ms":
      return String(whole);
    case "s":
      return String(Math.floor(whole / 1000));
  }
}

/** Milliseconds since the epoch of a time written with `precision` (sub-ms digits dropped). */
export function pointTimeToMs(time: string, precision: Precision): number {
  switch (precision) {
    case "n":
      return Number(time.slice(0, -6));
    case "u":
      return Number(time.slice(0, -3));
    case "ms":
      return Number(time);
    case "s":
      return Number(time) * 1000;
  }
}

// A stable small number from an alarm's identity, so its raise and its clear
// land on the same timestamp (and merge into one point).
function alarmUnique(key: string, nativeCode: string): number {
  let h = 2166136261;
  const s = `${key}\u0000${nativeCode}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) % 1_000_000;
}

function withSession(tags: Record<string, string>, session: string | undefined): Record<string, string> {
  if (session !== undefined && session !== "") tags.session = session;
  return tags;
}

/**
 * Turns pipeline output into points. Keeps each machine's last written
 * state, so a snapshot adds a `state` point only when the state changed (like
 * the embedded store).
 */
export class PointBuilder {
  private readonly precision: Precision;
  private readonly lastState = new Map<string, string>();
  private counter = 0;

  constructor(precision: Precision) {
    this.precision = precision;
  }

  build(out: PipelineOutput): { points: StoredPoint[]; seqMax: number | undefined } {
    const points: StoredPoint[] = [];
    let seqMax: number | undefined;
    for (const o of out.observations) {
      points.push(this.signal(o));
      if (seqMax === undefined || o.seq > seqMax) seqMax = o.seq;
    }
    for (const e of out.events) {
      const p = this.event(e);
      if (p) points.push(p);
    }
    for (const s of out.snapshots) {
      const p = this.state(s.machine, s.since, s.state, undefined);
      if (p) points.push(p);
    }
    return { points, seqMax };
  }

  private signal(o: Observation): StoredPoint {
    const fields: Record<string, FieldValue> = { seq: o.seq };
    const v = o.value;
    // Numbers and booleans share the float field `value`, strings go to `text`:
    // a field's type is fixed per shard, so one signal can never conflict with itself.
    if (typeof v === "number") {
      if (Number.isFinite(v)) fields.value = v;
    } else if (typeof v === "boolean") fields.value = v ? 1 : 0;
    else if (typeof v === "string") fields.text = v;
    if (o.quality !== "good") fields.quality = o.quality;
    if (o.alarm) fields.detail = JSON.stringify(o.alarm);
    const tags = withSession({ machine: o.machine, signal: o.signal }, o.session);
    return ["signal", tags, fields, pointTime(o.ts, o.seq, this.precision)];
  }

  private state(
    machine: string,
    ms: number,
    state: string,
    from: string | undefined,
  ): StoredPoint | undefined {
    if (this.lastState.get(machine) === state) return undefined;
    this.lastState.set(machine, state);
    const fields: Record<string, FieldValue> = { state };
    if (from !== undefined) fields.from = from;
    return ["state", { machine }, fields, pointTime(ms, this.counter++, this.precision)];
  }

  private event(e: MachineEvent): StoredPoint | undefined {
    const time = (ms: number) => pointTime(ms, this.counter++, this.precision);
    switch (e.type) {
      case "state.change":
        return this.state(e.machine, e.ts, e.to, e.from);
      case "cycle.end":
        return [
          "cycle",
          withSession({ machine: e.machine }, e.session),
          {
            startedAt: e.startedAt,
            durationMs: e.durationMs,
            partsMade: e.partsMade,
            outcome: e.outcome,
            ...(e.program === null ? {} : { program: e.program }),
          },
          time(e.ts),
        ];
      case "alarm.raise": {
        // Raise and clear share the timestamp (raise time + alarm identity) and
        // merge into one point, so one row answers "when raised, when cleared".
        const fields: Record<string, FieldValue> = {
          key: e.key,
          nativeCode: e.nativeCode,
          severity: e.severity,
          text: e.text,
          raisedAt: e.ts,
        };
        if (e.nativeSeverity !== undefined) fields.nativeSeverity = e.nativeSeverity;
        if (e.session !== undefined) fields.session = e.session;
        return [
          "alarm",
          { machine: e.machine },
          fields,
          pointTime(e.ts, alarmUnique(e.key, e.nativeCode), this.precision),
        ];
      }
      case "alarm.clear":
        return [
          "alarm",
          { machine: e.machine },
          {
            key: e.key,
            nativeCode: e.nativeCode,
            raisedAt: e.raisedAt,
            clearedAt: e.ts,
            durationMs: e.durationMs,
            // Why it cleared; the raise's `text` is not overwritten.
            clearReason: e.text,
          },
          pointTime(e.raisedAt, alarmUnique(e.key, e.nativeCode), this.precision),
        ];
      case "program.transfer": {
        const fields: Record<string, FieldValue> = {
          direction: e.direction,
          file: e.file,
          checksum: e.checksum,
          bytes: e.bytes,
          durationMs: e.durationMs,
          result: e.result,
        };
        if (e.error !== undefined) fields.error = e.error;
        return ["transfer", withSession({ machine: e.machine }, e.session), fields, time(e.ts)];
      }
      default:
        return undefined; // cycle.start, session.*: visible through signal/cycle points
    }
  }
}

/** "signal lathe-1/spindle.speed seq 42 at 2025-…": names a point in logs (no field values). */
export function describePoint(p: StoredPoint, precision: Precision): string {
  const [measurement, tags, fields, time] = p;
  const what = tags.signal ? `${tags.machine}/${tags.signal}` : tags.machine;
  const seq = fields.seq !== undefined ? ` seq ${fields.seq}` : "";
  const ms = pointTimeToMs(time, precision);
  const at = Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : time;
  return `${measurement} ${what}${seq} at ${at}`;
}
