import { afterEach, describe, expect, it } from "vitest";
import { diffState, type ModelChange, ModelDriver } from "../../../simulators/model/clock.ts";
import { MachineModel } from "../../../simulators/model/machine-model.ts";

const drivers: ModelDriver[] = [];
afterEach(() => {
  for (const d of drivers.splice(0)) d.stop();
});

describe("diffState", () => {
  it("reports only changed fields, axes and alarms whole", () => {
    const m = new MachineModel({ id: "m", kind: "lathe", seed: 1, autoOperator: false });
    const a = m.state();
    expect(diffState(a, m.state())).toEqual({});
    m.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
    m.setOverrides({ feed: 80 });
    expect(diffState(a, m.state())).toEqual({
      feedOverride: 80,
      alarms: [{ code: "EX1010", severity: "warning", text: "COOLANT LEVEL LOW" }],
    });
    const b = m.state();
    m.runProgram("O1001");
    m.advance(5000);
    const change = diffState(b, m.state());
    expect(change.execution).toBe("ACTIVE");
    expect(change.axes).toEqual(m.state().axes);
  });
});

describe("ModelDriver", () => {
  it("advances the model by elapsed time × timeScale and reports changes", () => {
    let now = 0;
    const m = new MachineModel({ id: "m", kind: "lathe", seed: 1, autoOperator: false });
    const changes: ModelChange[] = [];
    const driver = new ModelDriver(m, { timeScale: 10, now: () => now, onChange: (c) => changes.push(c) });
    drivers.push(driver);
    expect(driver.intervalMs).toBe(10);
    driver.start();
    m.runProgram("O1001");
    now += 500; // 5 s simulated
    driver.poll();
    expect(m.simTimeMs).toBe(5000);
    expect(changes[0]?.execution).toBe("ACTIVE");
    const count = changes.length;
    expect(driver.poll()).toEqual({}); // no time passed, nothing changed
    expect(changes.length).toBe(count);
    driver.stop();
    now += 1000;
    m.feedHold();
    // Stopped: a poll still reports scripted actions but does not advance time.
    expect(driver.poll()).toMatchObject({ execution: "FEED_HOLD" });
    expect(m.simTimeMs).toBe(5000);
  });

  it("runs on its own timer and stops", async () => {
    const m = new MachineModel({ id: "m", kind: "mill", seed: 1, autoOperator: false });
    const driver = new ModelDriver(m, { timeScale: 100 });
    drivers.push(driver);
    const seen: ModelChange[] = [];
    const unsubscribe = driver.subscribe((c) => seen.push(c));
    m.runProgram("O2001");
    driver.start();
    await new Promise((r) => setTimeout(r, 300));
    driver.stop();
    const simulated = m.simTimeMs;
    expect(simulated).toBeGreaterThan(10_000);
    expect(seen.some((c) => c.spindleSpeed !== undefined)).toBe(true);
    unsubscribe();
    await new Promise((r) => setTimeout(r, 100));
    expect(m.simTimeMs).toBe(simulated);
    expect(driver.running).toBe(false);
  });

  it("rejects a bad time scale", () => {
    const m = new MachineModel({ id: "m", kind: "mill", seed: 1 });
    expect(() => new ModelDriver(m, { timeScale: 0 })).toThrow(/timeScale/);
    expect(() => new ModelDriver(m, { timeScale: Number.POSITIVE_INFINITY })).toThrow(/timeScale/);
  });
});
