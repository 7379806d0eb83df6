import type { MachineSnapshot, MachineStateName } from "../core/events.ts";
import type { AlarmSet } from "./alarms.ts";
import { ROLE, type SignalEntry } from "./signal-entry.ts";

export type SnapshotParts = {
  machine: string;
  state: MachineStateName;
  since: number;
  signals: Iterable<SignalEntry>;
  alarms: AlarmSet;
  session: string | undefined;
  /** Gateway time the snapshot is built at. */
  ts: number;
};

/**
 * The full current picture of one machine (what `<prefix>/<machine>/state`
 * carries): state and since, every signal's current value with its source
 * time and unit (null while the machine is offline), the active alarms, the
 * session pseudonym. The `alarm` signal is not listed under signals: the
 * active set under `alarms` is its meaning.
 */
export function buildSnapshot(p: SnapshotParts): MachineSnapshot {
  const signals: MachineSnapshot["signals"] = {};
  for (const e of p.signals) {
    if (e.role === ROLE.alarm || e.value === undefined) continue;
    signals[e.signal] =
      e.unit === undefined ? { value: e.value, ts: e.ts } : { value: e.value, ts: e.ts, unit: e.unit };
  }
  return {
    machine: p.machine,
    state: p.state,
    since: p.since,
    signals,
    alarms: p.alarms.list(),
    session: p.session ?? null,
    ts: p.ts,
  };
}

/**
 * Throttle for periodic snapshots: signal changes alone (spindle speed, axes)
 * are published at most once per interval per machine. State, alarm and
 * session changes do not wait for this (the pipeline publishes them at once).
 */
export function snapshotDue(lastSnapshotAt: number, now: number, intervalMs: number): boolean {
  return now - lastSnapshotAt >= intervalMs;
}
