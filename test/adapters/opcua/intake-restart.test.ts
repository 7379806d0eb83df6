// A server restart while the intake is paused: node-opcua recreates the
// subscription on the new server, which must come back with publishing
// disabled (nothing delivered, no outage reported), and on resume the values
// flow and ConditionRefresh makes the active alarms known: one raised before
// the pause that is still active, one raised on the new server while paused,
// and one that cleared with the restart.
import { afterAll, describe, expect, it } from "vitest";
import type { OpcuaSimulator } from "../../../simulators/opcua/server.ts";
import { manualIntake } from "../../support/intake.ts";
import { type Harness, startAdapter, startScriptedSimulator, tempDir, waitFor } from "./helpers.ts";

const dir = tempDir("opcua-intake-restart");
let sim: OpcuaSimulator | undefined;
const harnesses: Harness[] = [];

afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.stop()));
  await sim?.close();
  dir.remove();
});

const start = (port: number) => startScriptedSimulator(port, dir.path);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("opcua adapter: server restart while the intake is paused", () => {
  it("comes back still paused, and resumes with the values and the active alarms", async () => {
    sim = await start(0);
    const port = sim.port;
    const intake = manualIntake();
    const h = await startAdapter(
      "lathe-1",
      { endpoint: sim.endpoint, pkiDir: `${dir.path}/gw`, offlineAfterMs: 60_000 },
      intake,
    );
    harnesses.push(h);
    await waitFor("connected with values", () => h.adapter.state === "connected" && h.last("execution"));
    const before = sim.machines[0]!;
    before.model.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
    before.model.raiseAlarm("EX1030", "warning", "CHIP CONVEYOR OVERLOAD");
    before.flush();
    const alarmLevel = (code: string) =>
      h.readings.findLast((r) => r.alarm?.nativeCode === code)?.alarm?.level;
    await waitFor("alarms before the pause", () => alarmLevel("EX1010") && alarmLevel("EX1030"));

    intake.set(true);
    await sleep(400);
    const from = h.readings.length;
    await sim.close();
    await waitFor("connection loss noticed", () => h.adapter.state === "reconnecting");
    sim = await start(port);
    const after = sim.machines[0]!;
    after.model.runProgram("O1001");
    after.model.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
    after.model.raiseAlarm("EX1040", "warning", "TOOL LIFE EXPIRED");
    after.flush();
    await waitFor(
      "session restored",
      () => h.logs.some((l) => l.msg === "OPC UA session restored; subscriptions resumed"),
      15_000,
    );
    // The recreated subscription publishes nothing: the program runs, yet no value arrives.
    await sleep(1000);
    expect(h.adapter.state).toBe("connected");
    expect(h.readings.slice(from)).toEqual([]);

    const resumedAt = Date.now();
    intake.set(false);
    await waitFor("values after resume", () =>
      h.readings.some((r) => r.signal === "execution" && r.value === "ACTIVE" && r.rx >= resumedAt),
    );
    await waitFor("EX1040 known", () => alarmLevel("EX1040") === "warning");
    await waitFor("EX1030 closed by ConditionRefresh", () => alarmLevel("EX1030") === "normal");
    expect(alarmLevel("EX1010")).toBe("warning");
    expect(h.readings.filter((r) => r.signal === "availability").map((r) => r.value)).toEqual(["AVAILABLE"]);
    expect(h.logs.filter((l) => l.msg.startsWith("intake ")).map((l) => l.msg)).toEqual([
      "intake paused: OPC UA publishing disabled, the server queues values and events",
      "intake resumed",
    ]);
  });
});
