import { describe, expect, it } from "vitest";
import { MachineModel, type ModelState } from "../../../simulators/model/machine-model.ts";
import { MACHINE_PROFILES, type MachineKind } from "../../../simulators/model/profiles.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Advance in 100 ms steps and hand every state to `visit`. */
function run(model: MachineModel, ms: number, visit: (s: ModelState, prev: ModelState) => void): ModelState {
  let prev = model.state();
  for (let t = 0; t < ms; t += 100) {
    model.advance(100);
    const s = model.state();
    visit(s, prev);
    prev = s;
  }
  return prev;
}

function sample(model: MachineModel, ms: number, everyMs: number): string[] {
  const states: string[] = [];
  for (let t = 0; t < ms; t += everyMs) {
    model.advance(everyMs);
    states.push(JSON.stringify(model.state()));
  }
  return states;
}

describe("MachineModel determinism", () => {
  it("gives the same state sequence for the same seed and steps", () => {
    for (const kind of ["lathe", "mill"] as const) {
      const a = sample(new MachineModel({ id: "m", kind, seed: 7 }), 2 * HOUR, 1000);
      const b = sample(new MachineModel({ id: "m", kind, seed: 7 }), 2 * HOUR, 1000);
      expect(a).toEqual(b);
    }
  });

  it("gives the same states however the caller slices time", () => {
    const coarse = new MachineModel({ id: "m", kind: "lathe", seed: 3 });
    const fine = new MachineModel({ id: "m", kind: "lathe", seed: 3 });
    for (let s = 0; s < 1800; s++) {
      coarse.advance(1000);
      for (let k = 0; k < 4; k++) fine.advance(250);
      expect(fine.state()).toEqual(coarse.state());
    }
  });

  it("differs between seeds and between machine ids", () => {
    const a = sample(new MachineModel({ id: "m", kind: "mill", seed: 1 }), HOUR, 5000);
    const b = sample(new MachineModel({ id: "m", kind: "mill", seed: 2 }), HOUR, 5000);
    const c = sample(new MachineModel({ id: "other", kind: "mill", seed: 1 }), HOUR, 5000);
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("rejects a negative or non-finite advance", () => {
    const m = new MachineModel({ id: "m", kind: "lathe", seed: 1 });
    expect(() => m.advance(-1)).toThrow(/finite simMs/);
    expect(() => m.advance(Number.NaN)).toThrow(/finite simMs/);
  });
});

describe("MachineModel plausibility (random operator)", () => {
  for (const kind of ["lathe", "mill"] as MachineKind[]) {
    it(`${kind}: 3 simulated hours have cycles, parts, holds, setups and gradual ramps`, () => {
      const profile = MACHINE_PROFILES[kind];
      const model = new MachineModel({ id: `${kind}-1`, kind, seed: 11 });
      let cycles = 0;
      let completed = 0;
      let holds = 0;
      let manual = 0;
      let maxSpeedStep = 0;
      let rampSamples = 0;
      let partsAtCompletion = true;
      const loadCutting: number[] = [];
      const loadStill: number[] = [];
      const final = run(model, 3 * HOUR, (s, prev) => {
        if (prev.execution !== "ACTIVE" && s.execution === "ACTIVE" && prev.execution !== "FEED_HOLD") {
          if (prev.execution !== "PROGRAM_STOPPED") cycles++;
        }
        if (s.execution === "PROGRAM_COMPLETED" && prev.execution !== "PROGRAM_COMPLETED") {
          completed++;
          if (s.partCount !== prev.partCount + 1) partsAtCompletion = false;
        } else if (s.partCount !== prev.partCount) partsAtCompletion = false;
        if (s.execution === "FEED_HOLD" && prev.execution === "ACTIVE") holds++;
        if (s.mode === "MANUAL" && prev.mode !== "MANUAL") manual++;
        maxSpeedStep = Math.max(maxSpeedStep, Math.abs(s.spindleSpeed - prev.spindleSpeed));
        if (
          s.spindleSpeed > 50 &&
          Math.abs(s.spindleSpeed - s.spindleSpeedCmd) > 100 &&
          s.spindleSpeedCmd > 0
        ) {
          rampSamples++;
        }
        if (model.cutting) loadCutting.push(s.spindleLoad);
        else if (s.spindleSpeed === 0) loadStill.push(s.spindleLoad);
      });
      expect(cycles).toBeGreaterThan(20);
      expect(completed).toBeGreaterThan(15);
      expect(final.partCount).toBe(completed);
      expect(partsAtCompletion).toBe(true);
      expect(holds).toBeGreaterThan(0);
      expect(manual).toBeGreaterThan(0);
      // A ramp never jumps more than the spindle can accelerate or brake in 100 ms (plus encoder jitter).
      const rampStep = (Math.max(profile.spindleAccel, profile.spindleDecel) * 100) / 1000;
      expect(maxSpeedStep).toBeLessThanOrEqual(rampStep + 0.01 * profile.maxRpm);
      expect(rampSamples).toBeGreaterThan(50);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(loadCutting)).toBeGreaterThan(15);
      expect(mean(loadStill)).toBe(0);
    });
  }

  it("raises random alarms at about the configured rate, and clears them", () => {
    let raised = 0;
    let active = 0;
    for (const seed of [1, 2, 3, 4]) {
      const model = new MachineModel({ id: "m", kind: "mill", seed, behaviour: { alarmsPerHour: 12 } });
      // Alarms stay at least 15 s, so a look every 5 s sees each one.
      let prev = model.state();
      for (let t = 0; t < 5 * HOUR; t += 5000) {
        model.advance(5000);
        const s = model.state();
        raised += s.alarms.filter((a) => !prev.alarms.some((p) => p.code === a.code)).length;
        prev = s;
      }
      active += prev.alarms.length;
    }
    // 4 machines × 5 h × 12/h = 240 expected; only alarms that fit the moment are raised.
    expect(raised).toBeGreaterThan(160);
    expect(raised).toBeLessThan(300);
    expect(active).toBeLessThan(raised / 10);
  });

  it("raises no random alarms at rate 0", () => {
    const model = new MachineModel({ id: "m", kind: "lathe", seed: 5, behaviour: { alarmsPerHour: 0 } });
    let alarms = 0;
    run(model, 2 * HOUR, (s) => {
      alarms += s.alarms.length;
    });
    expect(alarms).toBe(0);
  });

  it("keeps axes inside the machine and moving no faster than rapid traverse", () => {
    for (const kind of ["lathe", "mill"] as const) {
      const p = MACHINE_PROFILES[kind];
      const model = new MachineModel({ id: "m", kind, seed: 9 });
      const problems: string[] = [];
      run(model, HOUR, (s, prev) => {
        for (const axis of ["x", "y", "z"] as const) {
          const v = s.axes[axis];
          if (v < p.envelope.min[axis] - 5 || v > p.envelope.max[axis] + 5)
            problems.push(`${axis}=${v} outside`);
          const limit = (p.rapidRate / 60_000) * 100 * (p.diameterX && axis === "x" ? 2 : 1) + 0.01;
          if (Math.abs(v - prev.axes[axis]) > limit)
            problems.push(`${axis} jumped ${prev.axes[axis]} → ${v}`);
        }
        if (s.feedRate > p.rapidRate + 0.1) problems.push(`feed ${s.feedRate}`);
      });
      expect(problems.slice(0, 5)).toEqual([]);
    }
  });
});

describe("MachineModel scripted actions", () => {
  const scripted = (kind: MachineKind = "lathe") =>
    new MachineModel({ id: "m", kind, seed: 1, autoOperator: false });

  it("does nothing by itself without the operator", () => {
    const m = scripted();
    const before = m.state();
    m.advance(HOUR);
    expect(m.state()).toEqual(before);
  });

  it("runProgram runs a cycle to M30 and counts one part at the end", () => {
    const m = scripted();
    expect(m.runProgram("O1002")).toBe(true);
    expect(m.state()).toMatchObject({ execution: "ACTIVE", program: "O1002" });
    expect(m.runProgram("O1001")).toBe(false); // already running
    let seconds = 0;
    while (m.execution === "ACTIVE" && seconds < 600) {
      m.advance(1000);
      seconds++;
      if (m.execution === "ACTIVE") expect(m.state().partCount).toBe(0);
    }
    expect(m.state()).toMatchObject({ execution: "PROGRAM_COMPLETED", partCount: 1, spindleSpeedCmd: 0 });
    expect(seconds).toBeGreaterThan(30);
    m.advance(10_000);
    expect(m.state().spindleSpeed).toBe(0);
  });

  it("runProgram rejects unknown names and switches MANUAL to AUTOMATIC", () => {
    const m = scripted("mill");
    expect(() => m.runProgram("O9999")).toThrow(/no program "O9999".*O2001/);
    m.setMode("MANUAL");
    expect(m.runProgram("O2001")).toBe(true);
    expect(m.mode).toBe("AUTOMATIC");
  });

  it("feedHold stops the axes but not the spindle; resume continues", () => {
    const m = scripted();
    m.runProgram("O1001");
    m.advance(20_000);
    expect(m.feedHold()).toBe(true);
    m.advance(500);
    const held = m.state();
    m.advance(5_000);
    const later = m.state();
    expect(later.execution).toBe("FEED_HOLD");
    expect(later.axes).toEqual(held.axes);
    expect(later.feedRate).toBe(0);
    expect(later.spindleSpeed).toBeGreaterThan(500);
    expect(m.feedHold()).toBe(false);
    expect(m.resume()).toBe(true);
    m.advance(2_000);
    expect(m.state().axes).not.toEqual(held.axes);
  });

  it("a fault stops the program and the spindle; clearing it resets to READY", () => {
    const m = scripted();
    m.runProgram("O1001");
    m.advance(20_000);
    expect(m.raiseAlarm("2001", "fault", "SPINDLE OVERLOAD")).toBe(true);
    expect(m.raiseAlarm("2001", "fault", "SPINDLE OVERLOAD")).toBe(false);
    expect(m.state()).toMatchObject({
      execution: "STOPPED",
      alarms: [{ code: "2001", severity: "fault", text: "SPINDLE OVERLOAD" }],
    });
    expect(m.runProgram("O1001")).toBe(false);
    m.advance(5_000);
    expect(m.state().spindleSpeed).toBe(0);
    expect(m.clearAlarm("2001")).toBe(true);
    expect(m.clearAlarm("2001")).toBe(false);
    expect(m.state()).toMatchObject({ execution: "READY", alarms: [], line: 0, partCount: 0 });
  });

  it("a warning only shows: the program keeps running", () => {
    const m = scripted("mill");
    m.runProgram("O2001");
    m.advance(10_000);
    m.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
    m.advance(10_000);
    expect(m.state()).toMatchObject({
      execution: "ACTIVE",
      alarms: [{ code: "EX1010", severity: "warning" }],
    });
    expect(() => m.raiseAlarm("", "fault", "x")).toThrow(/non-empty/);
    expect(() => m.raiseAlarm("X", "error" as "fault", "x")).toThrow(/severity/);
  });

  it("powerOff takes everything down; actions wait for powerOn", () => {
    const m = scripted();
    m.runProgram("O1001");
    m.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
    m.advance(15_000);
    expect(m.powerOff()).toBe(true);
    expect(m.powerOff()).toBe(false);
    expect(m.state()).toMatchObject({
      power: false,
      spindleSpeed: 0,
      spindleLoad: 0,
      feedRate: 0,
      alarms: [],
    });
    expect(m.runProgram("O1001")).toBe(false);
    expect(m.raiseAlarm("EX1003", "fault", "DOOR OPEN")).toBe(false);
    expect(m.powerOn()).toBe(true);
    expect(m.state()).toMatchObject({ power: true, execution: "READY", program: "O1001" });
    expect(m.runProgram("O1001")).toBe(true);
  });

  it("stops at M00 with a message until resumed", () => {
    const m = scripted();
    m.runProgram("O1004");
    let guard = 0;
    while (m.execution === "ACTIVE" && guard++ < 600) m.advance(1000);
    expect(m.state()).toMatchObject({ execution: "PROGRAM_STOPPED", message: "CLEAR CHIPS FROM BORE" });
    m.advance(60_000);
    expect(m.execution).toBe("PROGRAM_STOPPED");
    expect(m.resume()).toBe(true);
    expect(m.state().message).toBeNull();
    guard = 0;
    while (m.execution === "ACTIVE" && guard++ < 600) m.advance(1000);
    expect(m.state()).toMatchObject({ execution: "PROGRAM_COMPLETED", partCount: 1 });
  });

  it("turning the mode switch aborts a program; emergency stop halts everything", () => {
    const m = scripted("mill");
    m.runProgram("O2002");
    m.advance(10_000);
    expect(m.setMode("MANUAL")).toBe(true);
    expect(m.state()).toMatchObject({ mode: "MANUAL", execution: "READY", partCount: 0 });
    expect(m.jog({ x: 100 }, 2000)).toBe(true);
    m.advance(10_000);
    expect(m.state().axes.x).toBe(100);
    m.runProgram("O2002");
    m.advance(10_000);
    expect(m.emergencyStop()).toBe(true);
    expect(m.state()).toMatchObject({ estop: "TRIGGERED", execution: "STOPPED" });
    expect(m.resume()).toBe(false);
    expect(m.releaseEmergencyStop()).toBe(true);
    expect(m.state()).toMatchObject({ estop: "ARMED", execution: "READY" });
  });

  it("rejects bad construction options", () => {
    expect(() => new MachineModel({ id: "m", kind: "router" as MachineKind, seed: 1 })).toThrow(
      /not simulated/,
    );
    expect(() => new MachineModel({ id: "m", kind: "lathe", seed: Number.NaN })).toThrow(/seed/);
    expect(() => new MachineModel({ id: "m", kind: "lathe", seed: 1, programs: [] })).toThrow(/no programs/);
  });
});
