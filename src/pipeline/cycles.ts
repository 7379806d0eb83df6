import type { CycleEndEvent, CycleOutcome, MachineEvent } from "../core/events.ts";
import type { ObservationValue } from "../core/observation.ts";
import { isEmergencyStop } from "./machine-state.ts";
import { stamp } from "./session.ts";

/** The current values cycle detection looks at (`undefined` = never reported). */
export type CycleInputs = {
  online: boolean;
  execution: ObservationValue | undefined;
  program: ObservationValue | undefined;
  partCount: ObservationValue | undefined;
  emergencyStop: ObservationValue | undefined;
  /** AlarmSet.faultRaises: a cycle ends when it grows. */
  faultRaises: number;
};

type OpenCycle = { program: string | null; startedAt: number; parts: number };

/** A cycle.end held back so a part counter that lags the end still counts. */
type PendingEnd = { event: CycleEndEvent; deadlineTs: number; deadlineRx: number; upgradable: boolean };

type EndCause = { outcome: CycleOutcome; upgradable: boolean };

const INTERRUPTED: EndCause = { outcome: "interrupted", upgradable: false };
const ABORTED: EndCause = { outcome: "aborted", upgradable: false };
/** Ended by the control stopping: becomes `completed` if parts were counted. */
const STOPPED: EndCause = { outcome: "aborted", upgradable: true };
const COMPLETED: EndCause = { outcome: "completed", upgradable: false };

/**
 * Cycle detection for one machine (rules and reasons in README.md).
 *
 * A cycle starts when execution becomes ACTIVE while no cycle is open. It
 * stays open through pauses (FEED_HOLD, INTERRUPTED, OPTIONAL_STOP,
 * PROGRAM_STOPPED = M00, WAIT): resuming is not a new cycle. It ends
 * - completed:   PROGRAM_COMPLETED; READY straight after ACTIVE; READY or
 *                STOPPED after a pause when the part counter went up
 * - aborted:     STOPPED, READY after a pause, a fault raised, emergency stop
 *                triggered, or another program name (then, if still ACTIVE,
 *                a new cycle starts at once)
 * - interrupted: machine offline, or execution became unknown
 *
 * Real controls bump the part counter a little after the end (the Okuma log
 * in the fixtures: 80–330 ms after PROGRAM_COMPLETED), so cycle.end is held
 * for `graceMs` and part-count increases meanwhile are credited to it. It is
 * released when a reading's source time (ts) or receive time (rx) passes the
 * end + grace, when the next cycle starts, or by `releaseDueAt` (the
 * pipeline's tick). graceMs 0 emits at once; `interrupted` always does.
 */
export class CycleTracker {
  readonly #machine: string;
  readonly #graceMs: number;
  #open: OpenCycle | undefined = undefined;
  #pending: PendingEnd | undefined = undefined;
  #lastExecution: ObservationValue = null;
  #lastParts: number | null = null;
  #lastEstop = false;
  #lastFaultRaises = 0;

  constructor(machine: string, graceMs: number) {
    this.#machine = machine;
    this.#graceMs = graceMs;
  }

  get isOpen(): boolean {
    return this.#open !== undefined;
  }

  get hasPending(): boolean {
    return this.#pending !== undefined;
  }

  /** Is a held-back cycle.end due, judged by a reading's source or receive time? */
  pendingDue(ts: number, rx: number): boolean {
    const p = this.#pending;
    return p !== undefined && (ts >= p.deadlineTs || rx >= p.deadlineRx);
  }

  /** Is a held-back cycle.end due at gateway time `now` (receive-time clock)? */
  pendingDueAt(now: number): boolean {
    const p = this.#pending;
    return p !== undefined && now >= p.deadlineRx;
  }

  /** Emit the held-back cycle.end, if any. */
  release(out: MachineEvent[]): void {
    const p = this.#pending;
    if (p === undefined) return;
    this.#pending = undefined;
    out.push(p.event);
  }

  /** Evaluate one settled group of inputs at source time `ts` (received at `rx`). */
  update(i: CycleInputs, ts: number, rx: number, session: string | undefined, out: MachineEvent[]): void {
    const execution = i.execution ?? null;
    const executionChanged = execution !== this.#lastExecution;
    const program = programName(i.program);
    const estop = isEmergencyStop(i.emergencyStop);

    this.#countParts(i.partCount);

    let programChanged = false;
    const open = this.#open;
    if (open !== undefined) {
      if (program !== null && program !== open.program) {
        // A name that arrives after the start names the running cycle; only
        // a different name replacing a known one is another program.
        if (open.program === null) open.program = program;
        else programChanged = true;
      }
      const cause = this.#endCause(i, execution, executionChanged, estop, programChanged);
      if (cause !== undefined) this.#end(cause, ts, rx, session, out);
    }

    if (
      this.#open === undefined &&
      i.online &&
      execution === "ACTIVE" &&
      (executionChanged || programChanged)
    ) {
      this.release(out);
      this.#open = { program, startedAt: ts, parts: 0 };
      out.push(stamp({ type: "cycle.start", machine: this.#machine, ts, program }, session));
    }

    this.#lastExecution = execution;
    this.#lastEstop = estop;
    this.#lastFaultRaises = i.faultRaises;
  }

  #endCause(
    i: CycleInputs,
    execution: ObservationValue,
    executionChanged: boolean,
    estop: boolean,
    programChanged: boolean,
  ): EndCause | undefined {
    if (!i.online) return INTERRUPTED;
    if (executionChanged && execution === null) return INTERRUPTED;
    if (i.faultRaises !== this.#lastFaultRaises) return ABORTED;
    if (estop && !this.#lastEstop) return ABORTED;
    if (programChanged) return ABORTED;
    if (!executionChanged) return undefined;
    switch (execution) {
      case "PROGRAM_COMPLETED":
        return COMPLETED;
      case "READY":
        return this.#lastExecution === "ACTIVE" ? COMPLETED : STOPPED;
      case "STOPPED":
        return STOPPED;
      default:
        return undefined; // ACTIVE again, or a pause: the cycle goes on
    }
  }

  #end(cause: EndCause, ts: number, rx: number, session: string | undefined, out: MachineEvent[]): void {
    const open = this.#open;
    if (open === undefined) return;
    this.#open = undefined;
    const outcome = cause.upgradable && open.parts > 0 ? "completed" : cause.outcome;
    const event: CycleEndEvent = stamp(
      {
        type: "cycle.end",
        machine: this.#machine,
        ts,
        program: open.program,
        startedAt: open.startedAt,
        durationMs: Math.max(0, ts - open.startedAt),
        partsMade: open.parts,
        outcome,
      },
      session,
    );
    if (this.#graceMs <= 0 || outcome === "interrupted") {
      out.push(event);
      return;
    }
    this.#pending = {
      event,
      deadlineTs: ts + this.#graceMs,
      deadlineRx: rx + this.#graceMs,
      upgradable: cause.upgradable,
    };
  }

  /**
   * Credit part-counter increases to the open cycle, else to the held-back
   * end. A decrease is a counter reset (or a count-down counter): the new
   * value becomes the base and nothing is credited, so partsMade is never
   * negative and never inflated. So does the first value after unknown.
   */
  #countParts(value: ObservationValue | undefined): void {
    const count = partCount(value);
    const last = this.#lastParts;
    // Unknown (offline) forgets the base: parts made while nobody watched
    // are not credited to the cycle that runs when the machine is back.
    this.#lastParts = count;
    if (count === null || last === null || count <= last) return;
    const made = count - last;
    if (this.#open !== undefined) {
      this.#open.parts += made;
      return;
    }
    const p = this.#pending;
    if (p === undefined) return;
    p.event.partsMade += made;
    if (p.upgradable) p.event.outcome = "completed";
  }
}

function programName(value: ObservationValue | undefined): string | null {
  if (typeof value === "string") return value === "" ? null : value;
  if (typeof value === "number") return String(value);
  return null;
}

function partCount(value: ObservationValue | undefined): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}
