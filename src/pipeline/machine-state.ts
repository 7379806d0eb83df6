import type { MachineStateName } from "../core/events.ts";
import type { ObservationValue } from "../core/observation.ts";

/** What the derived machine state depends on (current values; `undefined` = never reported). */
export type StateInputs = {
  /** False when availability is UNAVAILABLE/null (see availability.ts). */
  online: boolean;
  execution: ObservationValue | undefined;
  mode: ObservationValue | undefined;
  emergencyStop: ObservationValue | undefined;
  /** Active alarms of severity `fault`. Warnings do not change the state. */
  activeFaults: number;
};

/** Modes in which a person, not a program, drives the machine. */
const SETUP_MODES: ReadonlySet<ObservationValue | undefined> = new Set([
  "MANUAL",
  "MANUAL_DATA_INPUT",
  "EDIT",
]);
const HOLD: ReadonlySet<ObservationValue | undefined> = new Set(["FEED_HOLD", "INTERRUPTED"]);
const STOP: ReadonlySet<ObservationValue | undefined> = new Set([
  "STOPPED",
  "PROGRAM_STOPPED",
  "OPTIONAL_STOP",
]);

export function isEmergencyStop(value: ObservationValue | undefined): boolean {
  return value === "TRIGGERED" || value === true;
}

/**
 * The per-machine state machine: a pure function of the current inputs,
 * checked top to bottom, first match wins (the README has it as a table).
 *
 * 1. offline   — availability UNAVAILABLE or null
 * 2. alarm     — an active fault, or emergency stop TRIGGERED
 * 3. running   — execution ACTIVE (in any mode: an MDI block runs too)
 * 4. setup     — mode MANUAL / MANUAL_DATA_INPUT / EDIT and not ACTIVE
 * 5. feed_hold — FEED_HOLD, INTERRUPTED
 * 6. stopped   — STOPPED, PROGRAM_STOPPED, OPTIONAL_STOP
 * 7. idle      — READY, PROGRAM_COMPLETED, WAIT, or execution unknown
 */
export function deriveState(i: StateInputs): MachineStateName {
  if (!i.online) return "offline";
  if (i.activeFaults > 0 || isEmergencyStop(i.emergencyStop)) return "alarm";
  if (i.execution === "ACTIVE") return "running";
  if (SETUP_MODES.has(i.mode)) return "setup";
  if (HOLD.has(i.execution)) return "feed_hold";
  if (STOP.has(i.execution)) return "stopped";
  return "idle";
}
