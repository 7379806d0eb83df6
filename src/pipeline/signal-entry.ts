import type { ObservationValue, Quality, Reading } from "../core/observation.ts";
import type { SignalId } from "../core/signals.ts";

/**
 * Which part of the derived machine state a signal feeds, as bit flags so a
 * group of same-timestamp readings can remember cheaply which inputs it holds.
 * Signals with role `none` (spindle speed, axes, raw.*) never trigger the
 * state machine.
 */
export const ROLE = {
  none: 0,
  availability: 1,
  execution: 2,
  mode: 4,
  emergencyStop: 8,
  program: 16,
  partCount: 32,
  alarm: 64,
} as const;

// Channel 1 only: a multi-channel machine's `execution.2.value` is data, not state.
const ROLE_BY_SIGNAL: ReadonlyMap<string, number> = new Map([
  ["availability", ROLE.availability],
  ["execution", ROLE.execution],
  ["mode", ROLE.mode],
  ["emergency_stop", ROLE.emergencyStop],
  ["program.name", ROLE.program],
  ["part.count", ROLE.partCount],
  ["alarm", ROLE.alarm],
]);

export function roleOf(signal: string): number {
  return ROLE_BY_SIGNAL.get(signal) ?? ROLE.none;
}

/**
 * What the pipeline remembers about one signal of one machine: the last value
 * it let through (dedupe and deadband compare against it, snapshots show it).
 * Entries are created once per machine+signal and then mutated in place, so
 * the hot path allocates nothing for them.
 */
export type SignalEntry = {
  readonly signal: SignalId;
  readonly role: number;
  /** Absolute numeric deadband; 0 = none. */
  readonly deadband: number;
  /** `undefined` until the first reading was kept; `null` = unavailable. */
  value: ObservationValue | undefined;
  quality: Quality;
  ts: number;
  unit: string | undefined;
  source: Reading["source"];
};

export function newSignalEntry(signal: SignalId, deadband: number, source: Reading["source"]): SignalEntry {
  return {
    signal,
    role: roleOf(signal),
    deadband,
    value: undefined,
    quality: "good",
    ts: 0,
    unit: undefined,
    source,
  };
}

/** Store a kept reading as the signal's current value. */
export function remember(entry: SignalEntry, r: Reading): void {
  entry.value = r.value;
  entry.quality = r.quality;
  entry.ts = r.ts;
  entry.unit = r.unit;
  entry.source = r.source;
}
