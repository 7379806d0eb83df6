import { describe, expect, it } from "vitest";
import type { MachineStateName } from "../../src/core/events.ts";
import type { ObservationValue, Reading } from "../../src/core/observation.ts";
import type { SignalId } from "../../src/core/signals.ts";
import { deriveState, type StateInputs } from "../../src/pipeline/machine-state.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { alarm, rd } from "./readings.ts";

describe("deriveState (pure)", () => {
  const base: StateInputs = {
    online: true,
    execution: "READY",
    mode: "AUTOMATIC",
    emergencyStop: "ARMED",
    activeFaults: 0,
  };
  const cases: [string, Partial<StateInputs>, MachineStateName][] = [
    ["offline beats everything", { online: false, execution: "ACTIVE", activeFaults: 2 }, "offline"],
    ["a fault beats running", { execution: "ACTIVE", activeFaults: 1 }, "alarm"],
    ["emergency stop beats setup", { emergencyStop: "TRIGGERED", mode: "MANUAL" }, "alarm"],
    ["emergency stop as boolean", { emergencyStop: true }, "alarm"],
    ["ACTIVE in MDI is running", { execution: "ACTIVE", mode: "MANUAL_DATA_INPUT" }, "running"],
    ["manual mode, not active", { execution: "STOPPED", mode: "MANUAL" }, "setup"],
    ["unknown execution", { execution: undefined }, "idle"],
    ["unavailable execution", { execution: null }, "idle"],
    ["unknown mode", { execution: "FEED_HOLD", mode: null }, "feed_hold"],
    ["semi-automatic is not setup", { execution: "READY", mode: "SEMI_AUTOMATIC" }, "idle"],
  ];
  it.each(cases)("%s", (_name, inputs, expected) => {
    expect(deriveState({ ...base, ...inputs })).toBe(expected);
  });
});

// Table: [name, previous inputs, reading, expected state]. Inputs are [signal, value] pairs or alarm reports.
type Input = [SignalId, ObservationValue] | Reading;
const AV: Input = ["availability", "AVAILABLE"];
const fault = (code: string): Reading => alarm("m", "fault", "system", code, 0, `fault ${code}`);
const warning = (code: string): Reading => alarm("m", "warning", "system", code, 0, `warning ${code}`);

const TRANSITIONS: [string, Input[], Input, MachineStateName][] = [
  ["first availability", [], AV, "idle"],
  ["data without availability counts as online", [], ["execution", "ACTIVE"], "running"],
  ["availability UNAVAILABLE", [AV], ["availability", "UNAVAILABLE"], "offline"],
  ["availability null", [AV, ["execution", "ACTIVE"]], ["availability", null], "offline"],
  [
    "data while offline keeps it offline",
    [["availability", "UNAVAILABLE"]],
    ["execution", "ACTIVE"],
    "offline",
  ],
  [
    "back online: execution unknown after offline",
    [AV, ["execution", "ACTIVE"], ["availability", "UNAVAILABLE"]],
    AV,
    "idle",
  ],
  ["READY → ACTIVE", [AV, ["execution", "READY"]], ["execution", "ACTIVE"], "running"],
  ["ACTIVE → FEED_HOLD", [AV, ["execution", "ACTIVE"]], ["execution", "FEED_HOLD"], "feed_hold"],
  ["ACTIVE → INTERRUPTED", [AV, ["execution", "ACTIVE"]], ["execution", "INTERRUPTED"], "feed_hold"],
  ["ACTIVE → STOPPED", [AV, ["execution", "ACTIVE"]], ["execution", "STOPPED"], "stopped"],
  ["ACTIVE → PROGRAM_STOPPED", [AV, ["execution", "ACTIVE"]], ["execution", "PROGRAM_STOPPED"], "stopped"],
  ["ACTIVE → OPTIONAL_STOP", [AV, ["execution", "ACTIVE"]], ["execution", "OPTIONAL_STOP"], "stopped"],
  ["ACTIVE → PROGRAM_COMPLETED", [AV, ["execution", "ACTIVE"]], ["execution", "PROGRAM_COMPLETED"], "idle"],
  ["ACTIVE → READY", [AV, ["execution", "ACTIVE"]], ["execution", "READY"], "idle"],
  ["ACTIVE → WAIT", [AV, ["execution", "ACTIVE"]], ["execution", "WAIT"], "idle"],
  ["FEED_HOLD → ACTIVE", [AV, ["execution", "FEED_HOLD"]], ["execution", "ACTIVE"], "running"],
  ["ACTIVE → execution unavailable", [AV, ["execution", "ACTIVE"]], ["execution", null], "idle"],
  ["READY, mode → MANUAL", [AV, ["execution", "READY"]], ["mode", "MANUAL"], "setup"],
  ["READY, mode → MANUAL_DATA_INPUT", [AV, ["execution", "READY"]], ["mode", "MANUAL_DATA_INPUT"], "setup"],
  ["READY, mode → EDIT", [AV, ["execution", "READY"], ["mode", "AUTOMATIC"]], ["mode", "EDIT"], "setup"],
  ["setup → AUTOMATIC", [AV, ["execution", "READY"], ["mode", "MANUAL"]], ["mode", "AUTOMATIC"], "idle"],
  [
    "MDI block starts",
    [AV, ["mode", "MANUAL_DATA_INPUT"], ["execution", "READY"]],
    ["execution", "ACTIVE"],
    "running",
  ],
  [
    "MDI block ends",
    [AV, ["mode", "MANUAL_DATA_INPUT"], ["execution", "ACTIVE"]],
    ["execution", "READY"],
    "setup",
  ],
  [
    "manual mode, feed hold",
    [AV, ["mode", "MANUAL"], ["execution", "ACTIVE"]],
    ["execution", "FEED_HOLD"],
    "setup",
  ],
  [
    "manual mode, stopped",
    [AV, ["mode", "MANUAL"], ["execution", "READY"]],
    ["execution", "STOPPED"],
    "setup",
  ],
  ["fault while running", [AV, ["execution", "ACTIVE"]], fault("E1"), "alarm"],
  ["warning while running", [AV, ["execution", "ACTIVE"]], warning("W1"), "running"],
  ["fault while in setup", [AV, ["mode", "MANUAL"]], fault("E1"), "alarm"],
  [
    "fault cleared by code",
    [AV, ["execution", "READY"], fault("E1")],
    alarm("m", "normal", "system", "E1"),
    "idle",
  ],
  [
    "one of two faults cleared",
    [AV, fault("E1"), fault("E2")],
    alarm("m", "normal", "system", "E1"),
    "alarm",
  ],
  ["all faults cleared", [AV, fault("E1"), fault("E2")], alarm("m", "normal", "system", ""), "idle"],
  ["fault downgraded to warning", [AV, fault("E1")], alarm("m", "warning", "system", "E1"), "idle"],
  ["condition unavailable clears", [AV, fault("E1")], alarm("m", "unavailable", "system", ""), "idle"],
  ["emergency stop pressed", [AV, ["execution", "ACTIVE"]], ["emergency_stop", "TRIGGERED"], "alarm"],
  [
    "emergency stop released",
    [AV, ["execution", "READY"], ["emergency_stop", "TRIGGERED"]],
    ["emergency_stop", "ARMED"],
    "idle",
  ],
  ["offline clears faults", [AV, fault("E1"), ["availability", "UNAVAILABLE"]], AV, "idle"],
  ["offline beats a fault", [AV, fault("E1")], ["availability", "UNAVAILABLE"], "offline"],
];

function toReading(input: Input, at: number): Reading {
  if (Array.isArray(input)) return rd("m", input[0], input[1], at);
  return { ...input, ts: input.ts + at, rx: input.rx + at };
}

describe("machine state transitions (table)", () => {
  it.each(TRANSITIONS)("%s", (_name, previous, input, expected) => {
    const p = new Pipeline({ machines: ["m"], now: () => 0 });
    for (const [i, inp] of previous.entries()) p.process([toReading(inp, i * 10)]);
    const before = p.snapshot("m").state;

    const out = p.process([toReading(input, 1000)]);

    expect(p.snapshot("m").state).toBe(expected);
    const changes = out.events.filter((e) => e.type === "state.change");
    if (before === expected) {
      expect(changes).toEqual([]);
    } else {
      expect(changes).toEqual([
        expect.objectContaining({ machine: "m", from: before, to: expected, ts: toReading(input, 1000).ts }),
      ]);
      expect(p.snapshot("m").since).toBe(toReading(input, 1000).ts);
      expect(out.snapshots.map((s) => s.state)).toEqual([expected]);
    }
  });
});

describe("machine state over time", () => {
  it("starts offline, since the pipeline was created", () => {
    const p = new Pipeline({ machines: ["m"], now: () => 1234 });
    expect(p.snapshot("m")).toMatchObject({ machine: "m", state: "offline", since: 1234 });
  });

  it("emits one state.change per real transition, in order", () => {
    const p = new Pipeline({ machines: ["m"] });
    const out = p.process([
      rd("m", "availability", "AVAILABLE", 0),
      rd("m", "execution", "READY", 0),
      rd("m", "execution", "ACTIVE", 100),
      rd("m", "spindle.speed", 1200, 150),
      rd("m", "execution", "FEED_HOLD", 200),
      rd("m", "execution", "ACTIVE", 300),
      rd("m", "execution", "PROGRAM_COMPLETED", 400),
    ]);
    const changes = out.events.filter((e) => e.type === "state.change").map((e) => ("to" in e ? e.to : ""));
    expect(changes).toEqual(["idle", "running", "feed_hold", "running", "idle"]);
  });

  it("evaluates one SHDR line as one moment, whatever the key order", () => {
    // execution and mode in the same line: without grouping, the machine would
    // flash "running" (ACTIVE before MANUAL) or "setup" (MANUAL before READY).
    for (const order of [0, 1]) {
      const p = new Pipeline({ machines: ["m"] });
      p.process([rd("m", "availability", "AVAILABLE", 0), rd("m", "execution", "ACTIVE", 0)]);
      const pair = [rd("m", "execution", "READY", 10), rd("m", "mode", "MANUAL", 10)];
      const out = p.process(order === 0 ? pair : pair.reverse());
      const changes = out.events.filter((e) => e.type === "state.change");
      expect(changes).toEqual([expect.objectContaining({ from: "running", to: "setup" })]);
    }
  });

  it("treats the same state input twice at one timestamp as two transitions", () => {
    const p = new Pipeline({ machines: ["m"] });
    const out = p.process([
      rd("m", "availability", "AVAILABLE", 0),
      rd("m", "execution", "ACTIVE", 5),
      rd("m", "execution", "READY", 5),
    ]);
    const changes = out.events.filter((e) => e.type === "state.change").map((e) => ("to" in e ? e.to : ""));
    expect(changes).toEqual(["idle", "running", "idle"]);
  });
});
