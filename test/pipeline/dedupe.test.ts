import { describe, expect, it } from "vitest";
import type { ObservationValue, Quality } from "../../src/core/observation.ts";
import type { SignalId } from "../../src/core/signals.ts";
import { isRepeat } from "../../src/pipeline/dedupe.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { newSignalEntry, remember } from "../../src/pipeline/signal-entry.ts";
import { alarm, rd } from "./readings.ts";

const SOURCE = { protocol: "sim", ref: "t" } as const;

describe("isRepeat", () => {
  const cases: [
    string,
    SignalId,
    ObservationValue | undefined,
    Quality,
    ObservationValue,
    Quality,
    boolean,
  ][] = [
    ["same number", "spindle.speed", 100, "good", 100, "good", true],
    ["same string", "execution", "ACTIVE", "good", "ACTIVE", "good", true],
    ["same null", "spindle.speed", null, "good", null, "good", true],
    ["changed number", "spindle.speed", 100, "good", 101, "good", false],
    ["number vs numeric string", "part.count", 1, "good", "1", "good", false],
    ["quality changed only", "spindle.speed", 100, "good", 100, "bad", false],
    ["never seen (first reading, even null)", "spindle.speed", undefined, "good", null, "good", false],
    ["alarm readings are never repeats", "alarm", "fault", "good", "fault", "good", false],
  ];
  it.each(cases)("%s", (_name, signal, last, lastQuality, value, quality, expected) => {
    const entry = newSignalEntry(signal, 0, SOURCE);
    if (last !== undefined) remember(entry, { ...rd("m", signal, last), quality: lastQuality });
    expect(isRepeat(entry, { ...rd("m", signal, value), quality })).toBe(expected);
  });
});

describe("dedupe in the pipeline", () => {
  it("drops a value equal to the last one of the same machine and signal only", () => {
    const p = new Pipeline({ machines: ["a", "b"] });
    const out = p.process([
      rd("a", "spindle.speed", 100, 0),
      rd("a", "spindle.speed", 100, 1),
      rd("b", "spindle.speed", 100, 2), // other machine: not a repeat
      rd("a", "feed.rate", 100, 3), // other signal: not a repeat
      rd("a", "spindle.speed", 100, 4),
      rd("a", "spindle.speed", 120, 5),
    ]);
    expect(out.observations.map((o) => `${o.machine}.${o.signal}=${o.value}`)).toEqual([
      "a.spindle.speed=100",
      "b.spindle.speed=100",
      "a.feed.rate=100",
      "a.spindle.speed=120",
    ]);
  });

  it("keeps every alarm reading, even identical ones", () => {
    const p = new Pipeline({ machines: ["m"] });
    const out = p.process([alarm("m", "fault", "system", "E1", 0), alarm("m", "fault", "system", "E1", 1)]);
    expect(out.observations).toHaveLength(2);
  });

  it("drops a repeated AVAILABLE but keeps every availability transition", () => {
    const p = new Pipeline({ machines: ["m"] });
    const out = p.process([
      rd("m", "availability", "AVAILABLE", 0),
      rd("m", "availability", "AVAILABLE", 1),
      rd("m", "availability", "UNAVAILABLE", 2),
      rd("m", "availability", "UNAVAILABLE", 3),
      rd("m", "availability", "AVAILABLE", 4),
    ]);
    expect(out.observations.map((o) => o.value)).toEqual(["AVAILABLE", "UNAVAILABLE", "AVAILABLE"]);
  });

  it("lets a value re-sent after an offline blip through (offline made it unknown)", () => {
    const p = new Pipeline({ machines: ["m"] });
    p.process([rd("m", "availability", "AVAILABLE", 0), rd("m", "execution", "ACTIVE", 0)]);
    p.process([rd("m", "availability", "UNAVAILABLE", 10)]);
    const out = p.process([rd("m", "availability", "AVAILABLE", 20), rd("m", "execution", "ACTIVE", 20)]);
    expect(out.observations.map((o) => `${o.signal}=${o.value}`)).toEqual([
      "availability=AVAILABLE",
      "execution=ACTIVE",
    ]);
  });
});
