import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { deadbandsByMachine } from "../../src/pipeline/deadband-config.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { configProblems, ONE_LATHE_SITE_YAML } from "../support/config-problems.ts";
import { rd } from "./readings.ts";

// machines[].deadband in the config file → the pipeline the gateway builds
// (gateway.ts passes deadbandsByMachine(config.machines) as machineDeadbands).

const config = (deadbandLine: string) => `${ONE_LATHE_SITE_YAML}${deadbandLine}
  - id: mill-1
    name: Haas VF-2
    kind: mill
`;

const problems = (yaml: string) => configProblems(yaml);

describe("config machines[].deadband", () => {
  it("reaches the pipeline: lathe-1 drops spindle jitter below 5 rpm, mill-1 keeps every change", () => {
    const c = parseConfig(config("    deadband: { spindle.speed: 5, spindle.2.load: 1.5 }"), "t", {});
    const bands = deadbandsByMachine(c.machines);
    expect(bands).toEqual({ "lathe-1": { "spindle.speed": 5, "spindle.2.load": 1.5 } });

    const p = new Pipeline({ machines: c.machines.map((m) => m.id), machineDeadbands: bands });
    const jitter = [800, 802, 804, 806];
    const out = p.process([
      ...jitter.map((v, i) => rd("lathe-1", "spindle.speed", v, i)),
      ...jitter.map((v, i) => rd("mill-1", "spindle.speed", v, i)),
    ]);
    expect(out.observations.filter((o) => o.machine === "lathe-1").map((o) => o.value)).toEqual([800, 806]);
    expect(out.observations.filter((o) => o.machine === "mill-1").map((o) => o.value)).toEqual(jitter);
  });

  it("is optional: no deadband means no entry", () => {
    expect(deadbandsByMachine(parseConfig(config(""), "t", {}).machines)).toEqual({});
  });

  it("an unknown signal is an error naming the machine and the key", () => {
    const p = problems(config("    deadband: { spindle.sped: 5 }"));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^10 machines\[0\]\.deadband\.spindle\.sped: expected a catalogue signal id/);
  });

  it("a negative or non-numeric band is an error with the value's place", () => {
    expect(problems(config("    deadband: { spindle.speed: -5 }"))[0]).toMatch(
      /^10 machines\[0\]\.deadband\.spindle\.speed: expected a number ≥ 0/,
    );
    expect(problems(config('    deadband: { spindle.speed: "5 rpm" }'))[0]).toMatch(
      /^10 machines\[0\]\.deadband\.spindle\.speed: expected a number ≥ 0/,
    );
  });
});
