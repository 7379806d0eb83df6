import { ModelDriver } from "../model/clock.ts";
import { type MachineKind, MachineModel, type ModelState } from "../model/machine-model.ts";
import type { AgentBuffer } from "./agent-buffer.ts";
import { alarmsOf, buildSimDevice, type SimDataItem, type SimDevice } from "./device-model.ts";

// Feeds the agent from N simulated machines: every model tick is diffed, item
// by item, against what the buffer last recorded, and each change becomes one
// observation — the way an agent records what its adapters send.

export type AgentFeed = {
  readonly devices: readonly SimDevice[];
  start(): void;
  stop(): void;
  /** The agent restarted with an empty buffer: record everything anew. */
  restart(): void;
  /** Record changes now (scripted actions) instead of at the next tick. */
  poll(): void;
};

export type ModelFeedOptions = {
  machines: number;
  seed: number;
  kinds?: readonly MachineKind[];
  autoOperator: boolean;
  timeScale: number;
  tickMs: number;
  buffer: AgentBuffer;
  timestamp: () => string;
};

export class ModelFeed implements AgentFeed {
  readonly devices: SimDevice[] = [];
  readonly models: MachineModel[] = [];
  private readonly drivers: ModelDriver[];
  private readonly buffer: AgentBuffer;
  private readonly timestamp: () => string;
  /** Last recorded value per item id; for conditions the active codes as "Level:code|…". */
  private readonly last = new Map<string, string | null>();

  constructor(o: ModelFeedOptions) {
    this.buffer = o.buffer;
    this.timestamp = o.timestamp;
    for (let i = 1; i <= o.machines; i++) {
      const kind = o.kinds?.[i - 1] ?? (i % 2 === 1 ? "lathe" : "mill");
      const device = buildSimDevice(kind, i);
      this.devices.push(device);
      this.models.push(
        new MachineModel({ id: device.name, kind, seed: o.seed, autoOperator: o.autoOperator }),
      );
    }
    this.drivers = this.models.map(
      (model, i) =>
        new ModelDriver(model, {
          timeScale: o.timeScale,
          intervalMs: o.tickMs,
          onChange: (_change, state) => {
            this.record(this.devices[i]!, state);
            this.buffer.notify();
          },
        }),
    );
    this.recordAll();
  }

  start(): void {
    for (const d of this.drivers) d.start();
  }

  stop(): void {
    for (const d of this.drivers) d.stop();
  }

  restart(): void {
    this.last.clear();
    this.recordAll();
  }

  poll(): void {
    for (const d of this.drivers) d.poll();
  }

  private recordAll(): void {
    this.models.forEach((m, i) => {
      this.record(this.devices[i]!, m.state());
    });
    this.buffer.notify();
  }

  private record(device: SimDevice, s: ModelState): void {
    const ts = this.timestamp();
    for (const item of device.items) {
      if (item.category === "CONDITION") {
        this.recordCondition(device, item, s, ts);
        continue;
      }
      // A control that is switched off cannot tell its adapter anything.
      const value = s.power || item.type === "AVAILABILITY" ? item.read(s) : null;
      if (this.last.has(item.id) && this.last.get(item.id) === value) continue;
      this.last.set(item.id, value);
      this.buffer.add({ device, item, timestamp: ts, value });
    }
  }

  private recordCondition(device: SimDevice, item: SimDataItem, s: ModelState, ts: string): void {
    const previous = this.last.get(item.id);
    const active = s.power ? alarmsOf(s) : null;
    const now = active === null ? "UNAVAILABLE" : active.map((a) => `${a.level}:${a.code}`).join("|");
    if (previous === now) return;
    this.last.set(item.id, now);
    const before = new Set(previous && previous !== "UNAVAILABLE" ? previous.split("|") : []);
    const add = (o: {
      value: string | null;
      level: "Normal" | "Warning" | "Fault" | "Unavailable";
      nativeCode?: string;
    }) => this.buffer.add({ device, item, timestamp: ts, ...o });
    if (active === null) {
      add({ value: null, level: "Unavailable" });
      return;
    }
    if (active.length === 0) {
      add({ value: "", level: "Normal" });
      return;
    }
    const stillActive = new Set(active.map((a) => a.code));
    for (const entry of before) {
      const code = entry.slice(entry.indexOf(":") + 1);
      if (!stillActive.has(code)) add({ value: "", level: "Normal", nativeCode: code });
    }
    for (const a of active) {
      if (!before.has(`${a.level}:${a.code}`)) add({ value: a.text, level: a.level, nativeCode: a.code });
    }
  }
}
