import { describe, expect, it } from "vitest";
import type { CycleEndEvent, MachineEvent } from "../../src/core/events.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { okumaReadings } from "./okuma-replay.ts";
import { alarm, rd, T0 } from "./readings.ts";

describe("Pipeline options", () => {
  it.each([
    [{ snapshotIntervalMs: -1 }, /snapshotIntervalMs: expected a finite number ≥ 0, got -1/],
    [{ cycleEndGraceMs: Number.NaN }, /cycleEndGraceMs: expected a finite number ≥ 0/],
    [{ firstSeq: -5 }, /firstSeq: expected a non-negative integer/],
    [{ deadband: { "spindle.speed": -1 } }, /deadband\["spindle.speed"\]/],
  ])("rejects %o", (bad, message) => {
    expect(() => new Pipeline({ machines: ["m"], ...bad })).toThrow(message);
  });

  it("rejects a machine list that is not an array of non-empty ids", () => {
    expect(() => new Pipeline({ machines: "m" as unknown as string[] })).toThrow(
      /machines: expected an array/,
    );
    expect(() => new Pipeline({ machines: ["m", ""] })).toThrow(/machines: expected non-empty ids/);
  });

  it("lists configured machines in config order, offline, before any data", () => {
    const p = new Pipeline({ machines: ["lathe-1", "mill-2", "lathe-1"], now: () => 5 });
    expect(p.snapshots().map((s) => [s.machine, s.state, s.since])).toEqual([
      ["lathe-1", "offline", 5],
      ["mill-2", "offline", 5],
    ]);
  });
});

describe("Pipeline.process", () => {
  it("turns readings into observations: same fields, plus seq; optional fields only when set", () => {
    const p = new Pipeline({ machines: ["m"] });
    const r = rd("m", "spindle.speed", 1500, 0, { unit: "rev/min", quality: "uncertain" });
    const [o] = p.process([r]).observations;
    expect(o).toStrictEqual({
      machine: "m",
      signal: "spindle.speed",
      value: 1500,
      unit: "rev/min",
      ts: T0,
      rx: T0,
      quality: "uncertain",
      source: r.source,
      seq: 1,
    });
    expect(Object.keys(p.process([rd("m", "feed.rate", 3)]).observations[0] ?? {})).not.toContain("session");
  });

  it("processes readings for machines not in the config (added on first sight, never dropped)", () => {
    const p = new Pipeline({ machines: ["m"] });
    const out = p.process([
      rd("new-1", "availability", "AVAILABLE", 0),
      rd("new-1", "execution", "ACTIVE", 0),
    ]);
    expect(out.observations.map((o) => o.machine)).toEqual(["new-1", "new-1"]);
    expect(out.snapshots.map((s) => [s.machine, s.state])).toEqual([["new-1", "running"]]);
    expect(p.snapshots().map((s) => s.machine)).toEqual(["m", "new-1"]);
    expect(p.snapshot("new-1").state).toBe("running");
  });

  it("keeps machines apart when their readings interleave", () => {
    const p = new Pipeline({ machines: ["a", "b"], cycleEndGraceMs: 0 });
    const out = p.process([
      rd("a", "execution", "ACTIVE", 0),
      rd("b", "execution", "READY", 0),
      rd("a", "spindle.speed", 100, 5),
      rd("b", "execution", "ACTIVE", 10),
      rd("a", "execution", "PROGRAM_COMPLETED", 20),
    ]);
    expect(
      out.events.filter((e) => e.type.startsWith("cycle.")).map((e) => `${e.machine}:${e.type}`),
    ).toEqual(["a:cycle.start", "b:cycle.start", "a:cycle.end"]);
    expect([p.snapshot("a").state, p.snapshot("b").state]).toEqual(["idle", "running"]);
  });

  it("returns events in the order they happened: alarm, then cycle end, then state change", () => {
    const p = new Pipeline({ machines: ["m"], cycleEndGraceMs: 0 });
    p.process([rd("m", "availability", "AVAILABLE", 0), rd("m", "execution", "ACTIVE", 0)]);
    const out = p.process([alarm("m", "fault", "system", "E1", 100)]);
    expect(out.events.map((e) => e.type)).toEqual(["alarm.raise", "cycle.end", "state.change"]);
  });

  it("going offline and back: nulls, cleared alarms, interrupted cycle, then a fresh start", () => {
    const p = new Pipeline({ machines: ["m"], cycleEndGraceMs: 0 });
    p.process([
      rd("m", "availability", "AVAILABLE", 0),
      rd("m", "program.name", "O1", 0),
      rd("m", "execution", "ACTIVE", 0),
      alarm("m", "warning", "system", "W1", 0),
    ]);
    const down = p.process([rd("m", "availability", "UNAVAILABLE", 1000)]);
    expect(down.events.map((e) => e.type)).toEqual(["alarm.clear", "cycle.end", "state.change"]);
    expect(down.observations.map((o) => `${o.signal}=${o.value}`)).toEqual([
      "availability=UNAVAILABLE",
      "program.name=null",
      "execution=null",
    ]);
    expect(down.snapshots[0]).toMatchObject({ state: "offline", alarms: [] });

    const up = p.process([
      rd("m", "availability", "AVAILABLE", 2000),
      rd("m", "program.name", "O1", 2000),
      rd("m", "execution", "ACTIVE", 2000),
    ]);
    expect(up.events.map((e) => (e.type === "state.change" ? `${e.type}:${e.to}` : e.type))).toEqual([
      "cycle.start",
      "state.change:running",
    ]);
  });

  it("returns empty output for an empty batch", () => {
    const p = new Pipeline({ machines: ["m"] });
    expect(p.process([])).toEqual({ observations: [], events: [], snapshots: [] });
  });
});

describe("real data: the Okuma SHDR log from the cppagent fixtures", () => {
  // Four adapter sessions joined end to end, timestamps jumping back between
  // them, part counter bumped 80–330 ms after PROGRAM_COMPLETED.
  const readings = okumaReadings("okuma");

  function replay(cycleEndGraceMs?: number): { p: Pipeline; events: MachineEvent[] } {
    const options = cycleEndGraceMs === undefined ? {} : { cycleEndGraceMs };
    const p = new Pipeline({ machines: ["okuma"], ...options });
    const events = [...p.process(readings).events];
    return { p, events };
  }

  it("finds the four demo cycles, each completed with its one part", () => {
    const { p, events } = replay();
    const ends = events.filter((e): e is CycleEndEvent => e.type === "cycle.end");
    expect(events.filter((e) => e.type === "cycle.start")).toHaveLength(4);
    expect(ends.map((e) => [e.program, e.outcome, e.partsMade, e.durationMs])).toEqual([
      ["IMTS-2022-2-HOB.MIN", "completed", 1, 186_729],
      ["IMTS-2022-1E-mm.MIN", "completed", 1, 604_963],
      ["IMTS-2022-4B-mm.MIN", "completed", 1, 548_932],
      ["IMTS-2022-3-TRAN.MIN", "completed", 1, 16_752],
    ]);
    expect(events.filter((e) => e.type.startsWith("alarm."))).toEqual([]); // all 40 conditions are NORMAL
    expect(p.snapshot("okuma").state).toBe("idle");
  });

  it("without the grace the lagging part counter is lost (why cycleEndGraceMs exists)", () => {
    const { events } = replay(0);
    const ends = events.filter((e): e is CycleEndEvent => e.type === "cycle.end");
    expect(ends.map((e) => e.partsMade)).toEqual([0, 0, 0, 0]);
  });

  it("gives the same events when fed line by line as in one batch", () => {
    const whole = replay().events;
    const p = new Pipeline({ machines: ["okuma"] });
    const split: MachineEvent[] = [];
    for (const r of readings) split.push(...p.process([r]).events);
    expect(split).toEqual(whole);
  });
});
