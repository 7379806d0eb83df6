// The adapter against the simulator's MachineTool + CNC address space:
// discovery by type, values, execution, alarms (including ones active before
// the adapter connected) and operator messages. One server for the file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpcuaSimulator, startOpcuaSimulator } from "../../../simulators/opcua/server.ts";
import { type Harness, startAdapter, tempDir, waitFor } from "./helpers.ts";

const dir = tempDir("opcua-companion");
let sim: OpcuaSimulator;
const harnesses: Harness[] = [];

beforeAll(async () => {
  sim = await startOpcuaSimulator({
    port: 0,
    machines: 2,
    seed: 7,
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

async function adapterFor(machine: string | undefined) {
  const h = await startAdapter(machine ?? "any", {
    endpoint: sim.endpoint,
    pkiDir: `${dir.path}/gw-${machine ?? "none"}`,
    ...(machine ? { machine } : {}),
  });
  harnesses.push(h);
  return h;
}

describe("opcua adapter: MachineTool + CNC companion server", () => {
  it("finds the configured machine by type and its values flow", async () => {
    const mill = sim.machines[1]!;
    const h = await adapterFor("mill-2");
    await waitFor("availability AVAILABLE", () => h.last("availability")?.value === "AVAILABLE");
    // The simulator's address space maps exactly as the recorded golden case (convert.test.ts) says.
    const golden = readFileSync(
      join(import.meta.dirname, "cases", "machinetool-cnc", "bindings.expected.txt"),
      "utf8",
    );
    const expected = golden
      .trimEnd()
      .split("\n")
      .map((line) => line.replace(/, ns=\d+;i=\d+\)$/, ")"));
    expect(h.adapter.bindings.map((b) => `${b.signal} ← ${b.ref} (${b.decode})`)).toEqual(expected);
    await waitFor("initial values", () => h.last("execution") && h.last("mode") && h.last("program.name"));
    expect(h.last("execution")).toMatchObject({ machine: "mill-2", value: "READY", quality: "good" });
    expect(h.last("mode")?.value).toBe("AUTOMATIC");

    mill.model.runProgram("O2001");
    mill.flush();
    await waitFor("execution ACTIVE", () => h.last("execution")?.value === "ACTIVE");
    expect(h.last("program.name")?.value).toBe("O2001");
    const speed = await waitFor("spindle turning", () =>
      h.readings.find((r) => r.signal === "spindle.speed" && Number(r.value) > 0),
    );
    expect(speed).toMatchObject({ unit: "rev/min", source: { protocol: "opcua" } });
    expect(speed.source.ref).toMatch(/^ns=\d+;i=\d+$/);
    expect(speed.ts).toBeLessThanOrEqual(speed.rx);

    mill.model.feedHold();
    mill.flush();
    await waitFor("execution FEED_HOLD", () => h.last("execution")?.value === "FEED_HOLD");
    mill.model.resume();
    mill.flush();
    await waitFor("execution ACTIVE again", () => h.last("execution")?.value === "ACTIVE");
    expect(h.adapter.lastError).toBeNull();
    expect(h.adapter.stats).toMatchObject({ connects: 1, connected: true, errors: 0 });
  });

  it("reports alarms active before it connected (ConditionRefresh), then raises, clears and messages live", async () => {
    const lathe = sim.machines[0]!;
    lathe.model.raiseAlarm("EX1011", "warning", "LUBRICATION OIL LOW");
    lathe.flush();
    const h = await adapterFor("lathe-1");
    const first = await waitFor("refreshed alarm", () => h.readings.find((r) => r.signal === "alarm"));
    expect(first).toMatchObject({
      machine: "lathe-1",
      value: "warning",
      alarm: {
        key: "cnc",
        level: "warning",
        nativeCode: "EX1011",
        nativeSeverity: "300",
        text: "LUBRICATION OIL LOW",
      },
    });

    lathe.model.raiseAlarm("EX1020", "fault", "AIR PRESSURE LOW");
    lathe.flush();
    await waitFor("fault raised", () =>
      h.readings.find((r) => r.alarm?.nativeCode === "EX1020" && r.alarm.level === "fault"),
    );
    lathe.model.clearAlarm("EX1020");
    lathe.model.clearAlarm("EX1011");
    lathe.flush();
    await waitFor("both cleared", () =>
      ["EX1020", "EX1011"].every((code) =>
        h.readings.some((r) => r.alarm?.nativeCode === code && r.alarm.level === "normal"),
      ),
    );

    // O1004 stops at an M00 with an operator message (about 2.3 s at time scale 20).
    lathe.model.runProgram("O1004");
    lathe.flush();
    const message = await waitFor(
      "operator message",
      () => h.readings.find((r) => r.signal === "message"),
      15_000,
    );
    expect(message.value).toBe("CLEAR CHIPS FROM BORE");
    await waitFor("PROGRAM_STOPPED → INTERRUPTED", () => h.last("execution")?.value === "INTERRUPTED");
  });

  it("on a server with several machines, a missing or unknown monitor.machine is a clear error", async () => {
    const none = await adapterFor(undefined);
    const err = await waitFor("discovery error", () => none.adapter.lastError);
    expect(err).toBe(
      "the server has 2 machines (lathe-1 (serial SIM-7-1), mill-2 (serial SIM-7-2)); set monitor.machine to one of them",
    );
    expect(none.logs.find((l) => l.level === 50)?.msg).toBe(err);
    expect(none.readings.filter((r) => r.signal !== "availability")).toEqual([]);
    await none.stop();

    const wrong = await adapterFor("mill-9");
    expect(await waitFor("unknown machine error", () => wrong.adapter.lastError)).toMatch(
      /^monitor\.machine "mill-9" is not on the server; it has: lathe-1/,
    );
    await wrong.stop();
    // Serial numbers select too.
    const bySerial = await adapterFor("SIM-7-2");
    await waitFor("selected by serial", () => bySerial.adapter.state === "connected");
  });
});
