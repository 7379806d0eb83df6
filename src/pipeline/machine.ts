import type { MachineStateName } from "../core/events.ts";
import type { ObservationValue, Reading } from "../core/observation.ts";
import type { SignalId } from "../core/signals.ts";
import { AlarmSet } from "./alarms.ts";
import { CycleTracker } from "./cycles.ts";
import { type DeadbandConfig, deadbandFor } from "./deadband.ts";
import { SessionTracker } from "./session.ts";
import { newSignalEntry, type SignalEntry } from "./signal-entry.ts";

/**
 * Everything the pipeline keeps about one machine. A plain record: the
 * behaviour lives in the transforms (dedupe, deadband, availability,
 * machine-state, cycles, alarms, session, snapshot) and pipeline.ts wires
 * them; this only holds their per-machine state in one place.
 */
export class MachineRecord {
  readonly id: string;
  readonly signals = new Map<string, SignalEntry>();
  readonly alarms: AlarmSet;
  readonly cycles: CycleTracker;
  readonly session: SessionTracker;
  readonly #deadbands: DeadbandConfig;

  state: MachineStateName = "offline";
  since: number;
  /** From `availability`; undefined = never reported (data flowing counts as online). */
  online: boolean | undefined = undefined;
  /** Has any reading arrived yet? (The first one always triggers a state evaluation.) */
  heard = false;

  /**
   * Readings with the same source timestamp are one moment (one SHDR line:
   * `execution|ACTIVE|program|O1234`), so the state machine and cycle
   * detection run once per such group, after all of it is applied: the order
   * of keys within a line must not matter. A group ends at a new timestamp,
   * or when a state input repeats in it (two real transitions), or at the
   * end of the batch.
   */
  groupOpen = false;
  groupTs = 0;
  groupRx = 0;
  groupRoles = 0;

  /** State, alarms or session changed: publish a snapshot with this batch. */
  publishNow = false;
  /** A signal value changed since the last snapshot: publish on a tick. */
  signalsChanged = false;
  lastSnapshotAt = Number.NEGATIVE_INFINITY;
  /** Listed in the current batch's touched machines. */
  touched = false;

  constructor(id: string, since: number, deadbands: DeadbandConfig, cycleEndGraceMs: number) {
    this.id = id;
    this.since = since;
    this.#deadbands = deadbands;
    this.alarms = new AlarmSet(id);
    this.cycles = new CycleTracker(id, cycleEndGraceMs);
    this.session = new SessionTracker(id);
  }

  /** The entry for a signal, created on first sight (deadband resolved once, here). */
  entry(signal: SignalId, source: Reading["source"]): SignalEntry {
    let e = this.signals.get(signal);
    if (e === undefined) {
      e = newSignalEntry(signal, deadbandFor(this.#deadbands, signal), source);
      this.signals.set(signal, e);
    }
    return e;
  }

  valueOf(signal: string): ObservationValue | undefined {
    return this.signals.get(signal)?.value;
  }
}
