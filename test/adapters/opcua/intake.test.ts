// Intake backpressure against the simulator's companion server: while the
// gateway's intake is paused the subscription publishes nothing (the server
// only sends keep-alives) although the machine keeps changing, the machine
// does not look offline, and on resume the values and alarm events the server
// queued meanwhile arrive. One server for the file, one adapter per test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpcuaSimulator, startOpcuaSimulator } from "../../../simulators/opcua/server.ts";
import type { MachineEvent } from "../../../src/core/events.ts";
import { Pipeline } from "../../../src/pipeline/pipeline.ts";
import { manualIntake } from "../../support/intake.ts";
import { type Harness, startAdapter, tempDir, waitFor } from "./helpers.ts";

const dir = tempDir("opcua-intake");
let sim: OpcuaSimulator;
const harnesses: Harness[] = [];

beforeAll(async () => {
  sim = await startOpcuaSimulator({
    port: 0,
    machines: 1,
    timeScale: 20,
    autoOperator: false,
    pkiDir: `${dir.path}/sim-pki`,
    securityModes: ["None"],
  });
});

afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.stop()));
  await sim?.close();
  dir.remove();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pausable(name: string) {
  const intake = manualIntake();
  // A short offline grace: anything that looked like an outage would show as UNAVAILABLE.
  const h = await startAdapter(
    "lathe-1",
    { endpoint: sim.endpoint, pkiDir: `${dir.path}/gw-${name}`, offlineAfterMs: 200 },
    intake,
  );
  harnesses.push(h);
  await waitFor("connected with values", () => h.adapter.state === "connected" && h.last("execution"));
  return { h, intake };
}

/** Pause, then let a publish already on its way land before counting. */
async function pause(h: Harness, intake: ReturnType<typeof manualIntake>): Promise<number> {
  intake.set(true);
  await sleep(400);
  return h.readings.length;
}

describe("opcua adapter: intake pause (SetPublishingMode)", () => {
  it("delivers nothing while paused, stays connected, and delivers the newest values on resume", async () => {
    const lathe = sim.machines[0]!;
    const { h, intake } = await pausable("values");
    lathe.model.runProgram("O1001");
    lathe.flush();
    await waitFor("execution ACTIVE", () => h.last("execution")?.value === "ACTIVE");

    const from = await pause(h, intake);
    // The machine keeps running (axes, line numbers …), then an operator holds the feed.
    await sleep(800);
    lathe.model.feedHold();
    lathe.flush();
    await sleep(600);
    expect(lathe.model.state().execution).toBe("FEED_HOLD");
    expect(h.readings.slice(from)).toEqual([]);
    expect(h.adapter.state).toBe("connected");
    expect(h.adapter.stats.connected).toBe(true);
    expect(h.last("availability")?.value).toBe("AVAILABLE");

    const resumedAt = Date.now();
    intake.set(false);
    const held = await waitFor("FEED_HOLD after resume", () =>
      h.readings.slice(from).find((r) => r.signal === "execution" && r.value === "FEED_HOLD"),
    );
    // Sampled by the server during the pause, handed over after it: it waited in the item's queue.
    expect(held.ts).toBeLessThan(resumedAt);
    expect(held.rx).toBeGreaterThanOrEqual(resumedAt);
    // And the stream goes on as before.
    lathe.model.resume();
    lathe.flush();
    await waitFor("ACTIVE again", () => h.last("execution")?.value === "ACTIVE");

    // (An UNAVAILABLE before the first connect is the 200 ms grace; nothing since the pause.)
    expect(h.readings.slice(from).filter((r) => r.signal === "availability")).toEqual([]);
    expect(h.adapter.stats.connects).toBe(1);
    const intakeLogs = h.logs.filter((l) => l.msg.startsWith("intake ")).map((l) => l.msg);
    expect(intakeLogs).toEqual([
      "intake paused: OPC UA publishing disabled, the server queues values and events",
      "intake resumed",
    ]);
    expect(h.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it("queues alarm events raised while paused and delivers them, in order, on resume", async () => {
    const lathe = sim.machines[0]!;
    const { h, intake } = await pausable("alarms");
    const pipeline = new Pipeline({ machines: ["lathe-1"], cycleEndGraceMs: 0 });
    const events: MachineEvent[] = [];
    let fed = 0;
    const raised = (code: string) => {
      while (fed < h.batches.length) events.push(...pipeline.process(h.batches[fed++]!).events);
      return events.filter((e) => e.type === "alarm.raise" && "nativeCode" in e && e.nativeCode === code)
        .length;
    };

    const from = await pause(h, intake);
    lathe.model.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
    lathe.flush();
    // A short one: raised and gone within the pause. Only the event queue can tell.
    lathe.model.raiseAlarm("EX1030", "warning", "CHIP CONVEYOR OVERLOAD");
    lathe.flush();
    await sleep(100);
    lathe.model.clearAlarm("EX1030");
    lathe.flush();
    await sleep(700);
    expect(h.readings.slice(from)).toEqual([]);

    intake.set(false);
    const levels = (code: string) =>
      h.readings.filter((r) => r.alarm?.nativeCode === code).map((r) => r.alarm?.level);
    await waitFor("EX1010 raised", () => levels("EX1010").includes("warning"));
    await waitFor("EX1030 raised and cleared", () => levels("EX1030").join() === "warning,normal");
    // The ConditionRefresh on resume re-reports EX1010; the pipeline raises it once.
    await sleep(500);
    expect(raised("EX1010")).toBe(1);
    expect(raised("EX1030")).toBe(1);
    expect(pipeline.snapshot("lathe-1").alarms.map((a) => a.nativeCode)).toEqual(["EX1010"]);
    lathe.model.clearAlarm("EX1010");
    lathe.flush();
    await waitFor("EX1010 cleared live", () => levels("EX1010").at(-1) === "normal");
  });
});
