import type { PipelineOutput } from "../core/contracts.ts";
import type { MachineEvent, MachineSnapshot } from "../core/events.ts";
import type { Observation, Reading } from "../core/observation.ts";
import { CLEAR_REASON } from "./alarms.ts";
import { forgetSignals, isUnavailable } from "./availability.ts";
import { type DeadbandConfig, validateDeadbands, withinDeadband } from "./deadband.ts";
import { isRepeat } from "./dedupe.ts";
import { MachineRecord } from "./machine.ts";
import { deriveState } from "./machine-state.ts";
import { SequenceCounter } from "./sequence.ts";
import { ROLE, remember, type SignalEntry } from "./signal-entry.ts";
import { buildSnapshot, snapshotDue } from "./snapshot.ts";

export type PipelineOptions = {
  /** Configured machine ids; readings for other machines are still processed (added on first sight). */
  machines: readonly string[];
  /** Gateway clock (ms); default Date.now. Used for snapshot throttling and snapshot ts. */
  now?: () => number;
  /** Minimum time between tick snapshots of one machine; default 1000. */
  snapshotIntervalMs?: number;
  /** Absolute per-signal deadbands for every machine, e.g. `{ "spindle.speed": 5 }`; default none. */
  deadband?: Record<string, number>;
  /**
   * Absolute per-signal deadbands of single machines (config `machines[].deadband`),
   * e.g. `{ "lathe-1": { "spindle.speed": 5 } }`; a machine's entry wins over `deadband`.
   */
  machineDeadbands?: Readonly<Record<string, Record<string, number>>>;
  /** The first seq to issue; default 1. After a restart: the last stored seq + 1. */
  firstSeq?: number;
  /** How long a cycle.end waits for a lagging part counter; default 2000, 0 = emit at once. */
  cycleEndGraceMs?: number;
};

const EMPTY: PipelineOutput = Object.freeze({
  observations: Object.freeze([]),
  events: Object.freeze([]),
  snapshots: Object.freeze([]),
}) as PipelineOutput;

/**
 * The core pipeline: readings in; observations, events and snapshots out.
 * Per reading, top to bottom (each step is its own module, tested alone):
 *
 *   settle the previous moment  state machine + cycles once per timestamp group (machine-state.ts, cycles.ts)
 *   alarms                      condition reports → alarm.raise/clear (alarms.ts)
 *   dedupe                      drop repeats of the last kept value (dedupe.ts)
 *   deadband                    drop numeric jitter below the band (deadband.ts)
 *   sequence + session          number the observation, tag the trainee (sequence.ts, session.ts)
 *   availability                offline → every other signal null, alarms cleared (availability.ts)
 *
 * and per batch: settle what is left, then snapshot machines whose state,
 * alarms or session changed (snapshot.ts). `tick` publishes signal-only
 * changes, throttled, and releases cycle ends held for a lagging part counter.
 *
 * Synchronous and single-threaded by design: one instance per gateway.
 */
export class Pipeline {
  readonly #machines = new Map<string, MachineRecord>();
  readonly #seq: SequenceCounter;
  readonly #now: () => number;
  readonly #snapshotIntervalMs: number;
  readonly #deadbands: DeadbandConfig;
  readonly #machineDeadbands: ReadonlyMap<string, DeadbandConfig>;
  readonly #cycleEndGraceMs: number;
  /** Consecutive readings mostly share a machine: skip the map lookup then. */
  #lastMachine: MachineRecord | undefined = undefined;

  constructor(options: PipelineOptions) {
    if (!Array.isArray(options.machines)) throw new TypeError("machines: expected an array of machine ids");
    this.#now = options.now ?? Date.now;
    this.#snapshotIntervalMs = nonNegative("snapshotIntervalMs", options.snapshotIntervalMs, 1000);
    this.#cycleEndGraceMs = nonNegative("cycleEndGraceMs", options.cycleEndGraceMs, 2000);
    this.#deadbands = validateDeadbands(options.deadband);
    this.#machineDeadbands = new Map(
      Object.entries(options.machineDeadbands ?? {}).map(([id, bands]) => [
        id,
        { ...this.#deadbands, ...validateDeadbands(bands, `machineDeadbands["${id}"]`) },
      ]),
    );
    this.#seq = new SequenceCounter(options.firstSeq ?? 1);
    const since = this.#now();
    for (const id of options.machines) {
      if (typeof id !== "string" || id === "")
        throw new TypeError(`machines: expected non-empty ids, got ${String(id)}`);
      if (!this.#machines.has(id)) this.#machines.set(id, this.#newMachine(id, since));
    }
  }

  /** The last seq issued (firstSeq - 1 before any); a restart continues with firstSeq = lastSeq + 1. */
  get lastSeq(): number {
    return this.#seq.last;
  }

  process(readings: readonly Reading[]): PipelineOutput {
    const observations: Observation[] = [];
    const events: MachineEvent[] = [];
    const touched: MachineRecord[] = [];

    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      const previous = this.#lastMachine;
      const m = this.#machineFor(r.machine, r.ts);
      // Another machine's turn: settle the previous one now, so events of
      // interleaved machines come out in the order they happened.
      if (previous !== m && previous?.groupOpen) this.#settle(previous, events);
      if (!m.touched) {
        m.touched = true;
        touched.push(m);
      }
      const entry = m.entry(r.signal, r.source);

      if (m.groupOpen && (r.ts !== m.groupTs || (entry.role & m.groupRoles) !== 0)) this.#settle(m, events);
      if (m.cycles.pendingDue(r.ts, r.rx)) m.cycles.release(events);
      if (!m.heard) {
        m.heard = true;
        openGroup(m, r, ROLE.none);
      }

      if (entry.role === ROLE.alarm) {
        this.#alarm(m, r, observations, events);
        continue;
      }
      if (isRepeat(entry, r) || withinDeadband(entry, r)) continue;

      remember(entry, r);
      m.signalsChanged = true;
      observations.push(this.#observe(r, m));
      if (entry.role === ROLE.none) continue;

      if (entry.role === ROLE.availability) this.#availability(m, r, observations, events);
      openGroup(m, r, entry.role);
    }

    const snapshots: MachineSnapshot[] = [];
    const at = this.#now();
    for (const m of touched) {
      m.touched = false;
      if (m.groupOpen) this.#settle(m, events);
      if (m.publishNow) snapshots.push(this.#publish(m, at));
    }
    return { observations, events, snapshots };
  }

  /** `tick(Number.POSITIVE_INFINITY)` drains everything held (shutdown, end of a replay). */
  tick(now?: number): PipelineOutput {
    const due = now ?? this.#now();
    // Snapshots are stamped with a real time even when draining.
    const at = Number.isFinite(due) ? due : this.#now();
    let events: MachineEvent[] | undefined;
    let snapshots: MachineSnapshot[] | undefined;
    for (const m of this.#machines.values()) {
      if (m.cycles.pendingDueAt(due)) {
        events ??= [];
        m.cycles.release(events);
      }
      if (m.signalsChanged && snapshotDue(m.lastSnapshotAt, due, this.#snapshotIntervalMs)) {
        snapshots ??= [];
        snapshots.push(this.#publish(m, at));
      }
    }
    if (events === undefined && snapshots === undefined) return EMPTY;
    return { observations: [], events: events ?? [], snapshots: snapshots ?? [] };
  }

  /** The current picture of one machine (an unknown machine reads as offline with no signals). */
  snapshot(machine: string): MachineSnapshot {
    const m = this.#machines.get(machine) ?? this.#newMachine(machine, this.#now());
    return this.#build(m, this.#now());
  }

  snapshots(): MachineSnapshot[] {
    const at = this.#now();
    return [...this.#machines.values()].map((m) => this.#build(m, at));
  }

  /** Check a trainee in (pseudonym) or out (null) at a machine. */
  setSession(machine: string, pseudonym: string | null, ts: number): PipelineOutput {
    const m = this.#machineFor(machine, ts);
    const events: MachineEvent[] = [];
    if (!m.session.set(pseudonym, ts, events)) return EMPTY;
    return { observations: [], events, snapshots: [this.#publish(m, this.#now())] };
  }

  #machineFor(id: string, ts: number): MachineRecord {
    const last = this.#lastMachine;
    if (last !== undefined && last.id === id) return last;
    let m = this.#machines.get(id);
    if (m === undefined) {
      m = this.#newMachine(id, ts);
      this.#machines.set(id, m);
    }
    this.#lastMachine = m;
    return m;
  }

  #newMachine(id: string, since: number): MachineRecord {
    const deadbands = this.#machineDeadbands.get(id) ?? this.#deadbands;
    return new MachineRecord(id, since, deadbands, this.#cycleEndGraceMs);
  }

  #observe(r: Reading, m: MachineRecord): Observation {
    const o: Observation = {
      machine: r.machine,
      signal: r.signal,
      value: r.value,
      ts: r.ts,
      rx: r.rx,
      quality: r.quality,
      source: r.source,
      seq: this.#seq.next(),
    };
    if (r.unit !== undefined) o.unit = r.unit;
    const session = m.session.current;
    if (session !== undefined) o.session = session;
    if (r.alarm !== undefined) o.alarm = r.alarm;
    return o;
  }

  /** Alarm readings always flow; their detail drives the alarm life cycle. */
  #alarm(m: MachineRecord, r: Reading, observations: Observation[], events: MachineEvent[]): void {
    observations.push(this.#observe(r, m));
    if (r.alarm === undefined) return; // no condition detail: data without a life cycle
    if (m.alarms.apply(r.alarm, r.ts, m.session.current, events)) {
      m.publishNow = true;
      openGroup(m, r, ROLE.none);
    }
  }

  /** Going offline: every other signal becomes unknown and every alarm closes. */
  #availability(m: MachineRecord, r: Reading, observations: Observation[], events: MachineEvent[]): void {
    const online = !isUnavailable(r.value);
    if (!online && m.online !== false) {
      forgetSignals(m.signals.values(), r.ts, (e) => observations.push(this.#forgotten(e, r, m)));
      if (m.alarms.clearAll(CLEAR_REASON.offline, r.ts, m.session.current, events)) m.publishNow = true;
    }
    m.online = online;
  }

  /** The null observation for a signal made unknown by going offline. */
  #forgotten(e: SignalEntry, cause: Reading, m: MachineRecord): Observation {
    const o: Observation = {
      machine: m.id,
      signal: e.signal,
      value: null,
      ts: cause.ts,
      rx: cause.rx,
      quality: e.quality,
      source: e.source,
      seq: this.#seq.next(),
    };
    if (e.unit !== undefined) o.unit = e.unit;
    const session = m.session.current;
    if (session !== undefined) o.session = session;
    return o;
  }

  /** Run cycle detection and the state machine for the machine's pending timestamp group. */
  #settle(m: MachineRecord, events: MachineEvent[]): void {
    const ts = m.groupTs;
    const online = m.online !== false;
    const execution = m.valueOf("execution");
    const emergencyStop = m.valueOf("emergency_stop");
    const session = m.session.current;
    m.groupOpen = false;
    m.groupRoles = 0;

    m.cycles.update(
      {
        online,
        execution,
        program: m.valueOf("program.name"),
        partCount: m.valueOf("part.count"),
        emergencyStop,
        faultRaises: m.alarms.faultRaises,
      },
      ts,
      m.groupRx,
      session,
      events,
    );

    const next = deriveState({
      online,
      execution,
      mode: m.valueOf("mode"),
      emergencyStop,
      activeFaults: m.alarms.activeFaults,
    });
    if (next !== m.state) {
      const event: MachineEvent = { type: "state.change", machine: m.id, ts, from: m.state, to: next };
      if (session !== undefined) event.session = session;
      events.push(event);
      m.state = next;
      m.since = ts;
      m.publishNow = true;
    }
  }

  #publish(m: MachineRecord, at: number): MachineSnapshot {
    m.publishNow = false;
    m.signalsChanged = false;
    m.lastSnapshotAt = at;
    return this.#build(m, at);
  }

  #build(m: MachineRecord, at: number): MachineSnapshot {
    return buildSnapshot({
      machine: m.id,
      state: m.state,
      since: m.since,
      signals: m.signals.values(),
      alarms: m.alarms,
      session: m.session.current,
      ts: at,
    });
  }
}

/** Remember that the machine has inputs at this timestamp still to settle. */
function openGroup(m: MachineRecord, r: Reading, role: number): void {
  m.groupOpen = true;
  m.groupTs = r.ts;
  m.groupRx = r.rx;
  m.groupRoles |= role;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name}: expected a finite number ≥ 0, got ${String(value)}`);
  }
  return value;
}
