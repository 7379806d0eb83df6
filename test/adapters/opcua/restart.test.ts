// Server restart: node-opcua reconnects (unlimited retries, capped backoff),
// the subscription comes back, ConditionRefresh re-reports the active
// alarms, and — fed through the real pipeline — no cycle or alarm event is
// duplicated. An alarm that cleared during the outage is closed. A longer
// outage than offlineAfterMs is reported as UNAVAILABLE, then AVAILABLE. A server
// that is not there yet is a clear error, and the adapter connects when it comes.
import { afterAll, describe, expect, it } from "vitest";
import type { OpcuaSimulator } from "../../../simulators/opcua/server.ts";
import type { MachineEvent } from "../../../src/core/events.ts";
import { Pipeline } from "../../../src/pipeline/pipeline.ts";
import { freePort } from "../../support/ports.ts";
import { type Harness, startAdapter, startScriptedSimulator, tempDir, waitFor } from "./helpers.ts";

const dir = tempDir("opcua-restart");
let sim: OpcuaSimulator | undefined;
const harnesses: Harness[] = [];

afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.stop()));
  await sim?.close();
  dir.remove();
});

const start = (port: number) => startScriptedSimulator(port, dir.path);

/** Same script on both server lives: a program runs and a warning is active. */
function script(s: OpcuaSimulator, extraAlarm: boolean) {
  const m = s.machines[0]!;
  m.model.runProgram("O1001");
  m.model.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
  if (extraAlarm) m.model.raiseAlarm("EX1030", "warning", "CHIP CONVEYOR OVERLOAD");
  m.flush();
}

describe("opcua adapter: server restart", () => {
  it("resumes without duplicated cycle or alarm events, and closes alarms that cleared meanwhile", async () => {
    sim = await start(0);
    const port = sim.port;
    const pipeline = new Pipeline({ machines: ["lathe-1"], cycleEndGraceMs: 0 });
    const events: MachineEvent[] = [];
    // Generous grace: a restart on a loaded test machine takes seconds.
    const steady = await startAdapter("lathe-1", {
      endpoint: sim.endpoint,
      pkiDir: `${dir.path}/gw-1`,
      offlineAfterMs: 60_000,
    });
    const brief = await startAdapter("lathe-1", {
      endpoint: sim.endpoint,
      pkiDir: `${dir.path}/gw-2`,
      offlineAfterMs: 100,
    });
    harnesses.push(steady, brief);
    let fed = 0;
    const feed = () => {
      while (fed < steady.batches.length) events.push(...pipeline.process(steady.batches[fed++]!).events);
      return events;
    };
    const count = (type: string, code?: string) =>
      feed().filter(
        (e) => e.type === type && (code === undefined || ("nativeCode" in e && e.nativeCode === code)),
      ).length;

    await waitFor(
      "both subscribed",
      () => steady.adapter.state === "connected" && brief.adapter.state === "connected",
    );
    script(sim, true);
    await waitFor(
      "cycle.start and two alarm.raise",
      () => count("cycle.start") === 1 && count("alarm.raise") === 2,
    );

    await sim.close();
    await waitFor("connection loss noticed", () => steady.adapter.state === "reconnecting");
    await waitFor("brief outage reported", () => brief.last("availability")?.value === "UNAVAILABLE");
    const restartedAt = Date.now();
    sim = await start(port);
    script(sim, false);

    await waitFor(
      "values after the restart",
      () =>
        steady.readings.some(
          (r) => r.signal === "spindle.speed" && r.rx > restartedAt && Number(r.value) > 0,
        ),
      20_000,
    );
    await waitFor("EX1030 closed after ConditionRefresh", () => count("alarm.clear", "EX1030") === 1);
    await waitFor("brief adapter back", () => brief.last("availability")?.value === "AVAILABLE");
    expect(steady.logs.some((l) => l.msg === "OPC UA session restored; subscriptions resumed")).toBe(true);

    expect(count("cycle.start")).toBe(1);
    expect(count("cycle.end")).toBe(0);
    expect(count("alarm.raise", "EX1010")).toBe(1);
    expect(count("alarm.clear", "EX1010")).toBe(0);
    expect(count("alarm.raise", "EX1030")).toBe(1);
    expect(steady.readings.filter((r) => r.signal === "availability").map((r) => r.value)).toEqual([
      "AVAILABLE",
    ]);
    expect(steady.adapter.stats).toMatchObject({ connects: 2, connected: true });
    expect(pipeline.snapshot("lathe-1").state).toBe("running");
  });

  it("says clearly when no server answers, and connects once one starts", async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await freePort();
    const h = await startAdapter("lathe-1", {
      endpoint: `opc.tcp://127.0.0.1:${port}`,
      pkiDir: `${dir.path}/gw-3`,
      offlineAfterMs: 200,
    });
    harnesses.push(h);
    expect(await waitFor("unreachable error", () => h.adapter.lastError)).toBe(
      `cannot reach opc.tcp://127.0.0.1:${port} (no OPC UA server answers); retrying until it does`,
    );
    await waitFor("reported offline", () => h.last("availability")?.value === "UNAVAILABLE");
    const late = await start(port);
    try {
      await waitFor(
        "connected to the late server",
        () => h.last("availability")?.value === "AVAILABLE",
        20_000,
      );
      await waitFor("values", () => h.last("execution"));
      expect(h.readings.filter((r) => r.signal === "availability").map((r) => r.value)).toEqual([
        "UNAVAILABLE",
        "AVAILABLE",
      ]);
    } finally {
      await h.stop();
      await late.close();
    }
  });
});
