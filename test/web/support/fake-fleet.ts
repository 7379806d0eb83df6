import { pino } from "pino";
import { Registry } from "prom-client";
import type { PipelineOutput } from "../../../src/core/contracts.ts";
import type { AlarmRaiseEvent, MachineSnapshot, MachineStateName } from "../../../src/core/events.ts";
import type { WebDeps } from "../../../src/web/app.ts";
import type { HistoryPoint, HistoryRangeQuery, MachineInfo } from "../../../src/web/machine-routes.ts";
import type { HealthReport } from "../../../src/web/ops-routes.ts";

type SignalValues = Record<string, number | string | boolean | null>;

/**
 * Stands in for the gateway: configured machines, their snapshots, and a
 * pipeline-output feed the test pushes into. Counts subscribers so tests can
 * prove the web layer lets go of them.
 */
export class FakeFleet {
  readonly listeners = new Set<(out: PipelineOutput) => void>();
  readonly machines: MachineInfo[];
  readonly snapshots = new Map<string, MachineSnapshot>();
  readonly registry = new Registry();
  readonly historyQueries: HistoryRangeQuery[] = [];
  health: HealthReport = { status: "ok", checks: { mqtt: { ok: true } } };
  readonly now: number;

  constructor(now = Date.now()) {
    this.now = now;
    this.machines = DEMO_MACHINES.map(({ id, name, kind }) => ({ id, name, kind }));
    for (const m of DEMO_MACHINES) {
      this.snapshots.set(
        m.id,
        snapshot(m.id, m.state, now - m.sinceAgoMs, m.signals, now, m.session ?? null),
      );
    }
  }

  deps(overrides: Partial<WebDeps> = {}): WebDeps {
    return {
      snapshots: () => [...this.snapshots.values()],
      machines: () => this.machines,
      onUpdate: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      health: () => this.health,
      metrics: this.registry,
      history: {
        range: (q) => {
          this.historyQueries.push(q);
          return syntheticSpindleHistory(q);
        },
      },
      timeZone: "Europe/Oslo",
      log: pino({ level: "silent" }),
      ...overrides,
    };
  }

  /** Deliver pipeline output as the gateway would, keeping the snapshots in step. */
  push(out: Partial<PipelineOutput>): void {
    const full: PipelineOutput = { observations: [], events: [], snapshots: [], ...out };
    for (const s of full.snapshots) this.snapshots.set(s.machine, s);
    for (const listener of this.listeners) listener(full);
  }

  /** What the pipeline emits when a machine raises an alarm: the event and the new snapshot. */
  raiseAlarm(machine: string, nativeCode: string, text: string, ts: number): void {
    const before = this.snapshots.get(machine)!;
    const event: AlarmRaiseEvent = {
      type: "alarm.raise",
      machine,
      ts,
      key: "system",
      nativeCode,
      severity: "fault",
      text,
    };
    const after: MachineSnapshot = {
      ...before,
      state: "alarm",
      since: ts,
      ts,
      alarms: [...before.alarms, { key: "system", nativeCode, severity: "fault", text, since: ts }],
    };
    this.push({
      events: [event, { type: "state.change", machine, ts, from: before.state, to: "alarm" }],
      snapshots: [after],
    });
  }
}

export function snapshot(
  machine: string,
  state: MachineStateName,
  since: number,
  values: SignalValues,
  ts: number,
  session: string | null = null,
): MachineSnapshot {
  const signals: MachineSnapshot["signals"] = {};
  for (const [id, value] of Object.entries(values)) signals[id] = { value, ts };
  return { machine, state, since, signals, alarms: [], session, ts };
}

type DemoMachine = MachineInfo & {
  state: MachineStateName;
  sinceAgoMs: number;
  signals: SignalValues;
  session?: string;
};

const running = (program: string, speed: number, load: number, parts: number): SignalValues => ({
  availability: "AVAILABLE",
  execution: "ACTIVE",
  mode: "AUTOMATIC",
  "program.name": program,
  "spindle.speed": speed,
  "spindle.load": load,
  "feed.override": 100,
  "part.count": parts,
});

export const DEMO_MACHINES: DemoMachine[] = [
  {
    id: "lathe-1",
    name: "Mazak QT 200",
    kind: "lathe",
    state: "running",
    sinceAgoMs: 754_000,
    signals: running("O1001", 2400, 38, 17),
    session: "elev-7k2",
  },
  {
    id: "mill-2",
    name: "Haas VF-2",
    kind: "mill",
    state: "idle",
    sinceAgoMs: 95_000,
    signals: { ...running("O2040", 0, 0, 4), execution: "READY" },
  },
  {
    id: "mill-3",
    name: "DMG MORI CMX 600 V",
    kind: "mill",
    state: "feed_hold",
    sinceAgoMs: 42_000,
    signals: { ...running("PLATE_V3", 6000, 12, 9), execution: "FEED_HOLD", "feed.override": 0 },
    session: "elev-p91",
  },
  {
    id: "lathe-4",
    name: "Fanuc-dreiebenk (gammel)",
    kind: "lathe",
    state: "offline",
    sinceAgoMs: 3 * 3_600_000 + 12 * 60_000,
    signals: { availability: "UNAVAILABLE", "program.name": null, "spindle.speed": null },
  },
  {
    id: "mill-5",
    name: "Haas Mini Mill",
    kind: "mill",
    state: "setup",
    sinceAgoMs: 610_000,
    signals: { ...running("", 0, 0, 0), mode: "MANUAL", execution: "READY" },
    session: "elev-3mx",
  },
  {
    id: "lathe-6",
    name: "Emco Turn 250",
    kind: "lathe",
    state: "stopped",
    sinceAgoMs: 185_000,
    signals: { ...running("O0815", 0, 0, 112), execution: "PROGRAM_STOPPED", "feed.override": 80 },
  },
];

/** A plausible spindle trace: cycles of ramp-up, cutting at speed, stop. Deterministic. */
function syntheticSpindleHistory(q: HistoryRangeQuery): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  const step = (q.to - q.from) / q.maxPoints;
  const base = q.machine === "mill-3" ? 6000 : q.machine === "lathe-1" ? 2400 : 1500;
  for (let i = 0; i < q.maxPoints; i++) {
    const ts = Math.round(q.from + i * step);
    const phase = (i + q.machine.length * 7) % 40;
    const value =
      phase < 4 ? 0 : phase < 30 ? base * (0.85 + 0.15 * Math.sin(i / 3)) : phase < 34 ? base * 0.6 : 0;
    points.push({ ts, value: q.machine === "lathe-4" ? null : Math.round(value) });
  }
  return points;
}
