import { describe, expect, it } from "vitest";
import type { Observation } from "../../src/core/observation.ts";
import { SignalCoalescer } from "../../src/web/signal-coalescer.ts";

function obs(
  machine: string,
  signal: string,
  value: Observation["value"],
  ts: number,
  unit?: string,
): Observation {
  return {
    machine,
    signal: signal as Observation["signal"],
    value,
    ts,
    rx: ts,
    quality: "good",
    source: { protocol: "sim", ref: signal },
    seq: ts,
    ...(unit ? { unit } : {}),
  };
}

describe("SignalCoalescer", () => {
  it("keeps the latest value per machine and signal", () => {
    const c = new SignalCoalescer();
    c.add([
      obs("m1", "spindle.speed", 100, 1, "rev/min"),
      obs("m1", "spindle.speed", 200, 2, "rev/min"),
      obs("m2", "part.count", 5, 3),
    ]);
    c.add([obs("m1", "spindle.load", 40, 4, "%")]);
    expect(c.drain()).toEqual([
      {
        machine: "m1",
        signals: {
          "spindle.speed": { value: 200, ts: 2, unit: "rev/min" },
          "spindle.load": { value: 40, ts: 4, unit: "%" },
        },
      },
      { machine: "m2", signals: { "part.count": { value: 5, ts: 3 } } },
    ]);
  });

  it("is empty after a drain", () => {
    const c = new SignalCoalescer();
    c.add([obs("m1", "execution", "ACTIVE", 1)]);
    c.drain();
    expect(c.size).toBe(0);
    expect(c.drain()).toEqual([]);
  });

  it("does not let an older value overwrite a newer one", () => {
    const c = new SignalCoalescer();
    c.add([obs("m1", "program.name", "O2", 20), obs("m1", "program.name", "O1", 10)]);
    expect(c.drain()[0]!.signals["program.name"]).toEqual({ value: "O2", ts: 20 });
  });

  it("keeps unavailable (null) values: they mean something", () => {
    const c = new SignalCoalescer();
    c.add([obs("m1", "spindle.speed", 100, 1), obs("m1", "spindle.speed", null, 2)]);
    expect(c.drain()[0]!.signals["spindle.speed"]!.value).toBeNull();
  });

  it("leaves alarm reports to snapshots and events", () => {
    const c = new SignalCoalescer();
    c.add([obs("m1", "alarm", "fault", 1)]);
    expect(c.drain()).toEqual([]);
  });
});
