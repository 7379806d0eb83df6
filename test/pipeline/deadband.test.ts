import { describe, expect, it } from "vitest";
import type { ObservationValue } from "../../src/core/observation.ts";
import { deadbandFor, validateDeadbands, withinDeadband } from "../../src/pipeline/deadband.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { newSignalEntry, remember } from "../../src/pipeline/signal-entry.ts";
import { rd } from "./readings.ts";

const SOURCE = { protocol: "sim", ref: "t" } as const;

describe("deadbandFor", () => {
  const config = { "spindle.speed": 5, "axis.x.position": 0.01, "spindle.2.speed": 50 };
  it.each([
    ["spindle.speed", 5],
    ["spindle.3.speed", 5], // indexed variant falls back to its base
    ["spindle.2.speed", 50], // an explicit entry wins
    ["axis.x.position", 0.01],
    ["feed.rate", 0],
    ["constructor", 0], // not an inherited object property
  ])("%s → %s", (signal, band) => {
    expect(deadbandFor(config, signal)).toBe(band);
  });
});

describe("validateDeadbands", () => {
  it("accepts undefined and valid bands", () => {
    expect(validateDeadbands(undefined)).toEqual({});
    expect(validateDeadbands({ "spindle.speed": 0 })).toEqual({ "spindle.speed": 0 });
  });
  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("rejects %s and names the signal", (bad) => {
    expect(() => validateDeadbands({ "spindle.load": bad })).toThrow(
      /deadband\["spindle.load"\]: expected a finite number ≥ 0/,
    );
  });
  it("is checked by the Pipeline constructor", () => {
    expect(() => new Pipeline({ machines: [], deadband: { "feed.rate": -2 } })).toThrow(
      /deadband\["feed.rate"\]/,
    );
  });
});

describe("withinDeadband", () => {
  const cases: [string, number, ObservationValue, ObservationValue, boolean][] = [
    ["below the band", 5, 100, 104.9, true],
    ["below the band, downwards", 5, 100, 95.1, true],
    ["exactly the band passes", 5, 100, 105, false],
    ["above the band", 5, 100, 110, false],
    ["no band configured", 0, 100, 100.001, false],
    ["to null always passes", 5, 100, null, false],
    ["from null always passes", 5, null, 100, false],
    ["strings are not numbers", 5, "100", "101", false],
  ];
  it.each(cases)("%s", (_name, band, last, value, expected) => {
    const entry = newSignalEntry("spindle.speed", band, SOURCE);
    remember(entry, rd("m", "spindle.speed", last));
    expect(withinDeadband(entry, rd("m", "spindle.speed", value))).toBe(expected);
  });
});

describe("deadband in the pipeline", () => {
  it("is off by default", () => {
    const p = new Pipeline({ machines: ["m"] });
    const out = p.process([rd("m", "spindle.speed", 1000, 0), rd("m", "spindle.speed", 1000.5, 1)]);
    expect(out.observations).toHaveLength(2);
  });

  it("compares with the last kept value, so a slow drift still comes through", () => {
    const p = new Pipeline({ machines: ["m"], deadband: { "spindle.speed": 5 } });
    const values = [1000, 1002, 1004, 1006, 1007, 1010, 1011.5, 1020];
    const out = p.process(values.map((v, i) => rd("m", "spindle.speed", v, i)));
    expect(out.observations.map((o) => o.value)).toEqual([1000, 1006, 1011.5, 1020]);
    expect(p.snapshot("m").signals["spindle.speed"]?.value).toBe(1020);
  });

  it("applies per signal: other signals are untouched", () => {
    const p = new Pipeline({ machines: ["m"], deadband: { "spindle.speed": 5 } });
    const out = p.process([rd("m", "spindle.load", 10, 0), rd("m", "spindle.load", 11, 1)]);
    expect(out.observations).toHaveLength(2);
  });
});

describe("deadband per machine (machineDeadbands, config machines[].deadband)", () => {
  const speeds = [1000, 1003, 1006, 1008, 1020];

  it("applies only to the machine it is configured for", () => {
    const p = new Pipeline({ machines: ["a", "b"], machineDeadbands: { a: { "spindle.speed": 5 } } });
    const out = p.process([
      ...speeds.map((v, i) => rd("a", "spindle.speed", v, i)),
      ...speeds.map((v, i) => rd("b", "spindle.speed", v, i)),
    ]);
    const valuesOf = (m: string) => out.observations.filter((o) => o.machine === m).map((o) => o.value);
    expect(valuesOf("a")).toEqual([1000, 1006, 1020]);
    expect(valuesOf("b")).toEqual(speeds);
  });

  it("a machine's band wins over the band for all machines; its other signals keep the common one", () => {
    const p = new Pipeline({
      machines: ["a"],
      deadband: { "spindle.speed": 5, "spindle.load": 10 },
      machineDeadbands: { a: { "spindle.speed": 15 } },
    });
    const out = p.process([
      ...speeds.map((v, i) => rd("a", "spindle.speed", v, i)),
      ...[50, 55, 61].map((v, i) => rd("a", "spindle.load", v, 10 + i)),
    ]);
    expect(out.observations.filter((o) => o.signal === "spindle.speed").map((o) => o.value)).toEqual([
      1000, 1020,
    ]);
    expect(out.observations.filter((o) => o.signal === "spindle.load").map((o) => o.value)).toEqual([50, 61]);
  });

  it("rejects a bad band, naming the machine and the signal", () => {
    expect(() => new Pipeline({ machines: ["a"], machineDeadbands: { a: { "spindle.speed": -1 } } })).toThrow(
      /machineDeadbands\["a"\]\["spindle.speed"\]: expected a finite number ≥ 0, got -1/,
    );
  });
});
