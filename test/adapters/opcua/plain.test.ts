// A server without the companion types (plain variables, as on a PLC or an
// older control): explicit node map with node ids, browse paths, value maps
// and scale; bad entries are errors naming the node while the good ones
// still work; and 2,000 monitored items on one session, created in chunks
// under the server's MaxMonitoredItemsPerCall.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadVariableName } from "../../../simulators/opcua/load.ts";
import { type OpcuaSimulator, startOpcuaSimulator } from "../../../simulators/opcua/server.ts";
import { EXECUTION_VALUES } from "../../../src/core/signals.ts";
import { type Harness, startAdapter, tempDir, waitFor } from "./helpers.ts";

const dir = tempDir("opcua-plain");
let sim: OpcuaSimulator;
let ns: number;
const harnesses: Harness[] = [];
const LOAD = 2000;

beforeAll(async () => {
  sim = await startOpcuaSimulator({
    port: 0,
    machines: 2,
    plain: true,
    autoOperator: false,
    loadVariables: LOAD,
    loadPeriodMs: 1000,
    maxMonitoredItemsPerCall: 1000,
    pkiDir: `${dir.path}/sim-pki`,
    securityModes: ["None"],
  });
  ns = sim.namespaceIndex;
});

afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.stop()));
  await sim?.close();
  dir.remove();
});

async function adapter(
  name: string,
  monitor: Parameters<typeof startAdapter>[1] extends infer M ? Partial<M> : never,
) {
  const h = await startAdapter("lathe-1", {
    endpoint: sim.endpoint,
    pkiDir: `${dir.path}/gw-${name}`,
    ...monitor,
  });
  harnesses.push(h);
  return h;
}

describe("opcua adapter: explicit node map on a plain server", () => {
  it("maps node ids, browse paths, coded values and scales; events only from the machine's own source", async () => {
    const lathe = sim.machines[0]!;
    const mill = sim.machines[1]!;
    const codes = Object.fromEntries(EXECUTION_VALUES.map((v, i) => [String(i), v]));
    const h = await adapter("map", {
      nodes: {
        execution: { node: `ns=${ns};s=lathe-1.execution.code`, map: codes },
        // OPC UA relative-path text: '.' and '/' inside a name are escaped with '&'.
        "program.name": `/${ns}:lathe-1/${ns}:program&.name`,
        "spindle.speed": `ns=${ns};s=lathe-1.spindle.speed`,
        "feed.rate": { node: `ns=${ns};s=lathe-1.feed.rate`, scale: 1 / 60, unit: "mm/s" },
        "raw.power": `ns=${ns};s=lathe-1.power`,
        "raw.feed_mm_min": `ns=${ns};s=lathe-1.feed.rate`,
      },
      eventSource: `ns=${ns};s=lathe-1`,
    });
    await waitFor(
      "initial values",
      () => h.last("execution") && h.last("program.name") && h.last("raw.power"),
    );
    expect(h.last("execution")).toMatchObject({
      value: "READY",
      quality: "good",
      source: { ref: `ns=${ns};s=lathe-1.execution.code` },
    });
    expect(h.last("raw.power")?.value).toBe(true);
    expect(h.adapter.problems).toEqual([]);

    lathe.model.runProgram("O1001");
    lathe.flush();
    await waitFor("execution ACTIVE", () => h.last("execution")?.value === "ACTIVE");
    expect(h.last("program.name")?.value).toBe("O1001");
    const feed = await waitFor("feed scaled to mm/s", () =>
      h.readings.find((r) => r.signal === "feed.rate" && Number(r.value) > 0),
    );
    expect(feed.unit).toBe("mm/s");
    const raw = h.readings.find((r) => r.signal === "raw.feed_mm_min" && r.ts === feed.ts);
    expect(Number(feed.value)).toBeCloseTo(Number(raw?.value) / 60, 6);

    mill.model.raiseAlarm("EX1040", "warning", "TOOL LIFE EXPIRED");
    mill.flush();
    lathe.model.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
    lathe.flush();
    const alarm = await waitFor("lathe alarm", () => h.readings.find((r) => r.signal === "alarm"));
    expect(alarm.alarm).toEqual({
      key: "system",
      level: "warning",
      nativeCode: "EX1010",
      nativeSeverity: "300",
      text: "COOLANT LEVEL LOW",
    });
    // Let the mill's alarm have its chance to (wrongly) arrive too.
    await new Promise((r) => setTimeout(r, 500));
    expect(h.readings.filter((r) => r.signal === "alarm").map((r) => r.alarm?.nativeCode)).toEqual([
      "EX1010",
    ]);
  });

  it("applies the deadband to numeric nodes only", async () => {
    const lathe = sim.machines[0]!;
    const h = await adapter("deadband", {
      deadband: 1_000_000,
      events: false,
      nodes: {
        "spindle.speed": `ns=${ns};s=lathe-1.spindle.speed`,
        "program.line": `ns=${ns};s=lathe-1.program.line`,
        mode: `ns=${ns};s=lathe-1.mode`,
      },
    });
    await waitFor("initial values", () => h.last("spindle.speed") && h.last("mode"));
    expect(h.adapter.bindings.map((b) => `${b.signal}:${b.decode}`)).toEqual([
      "spindle.speed:number",
      "program.line:number",
      "mode:auto",
    ]);
    lathe.model.setMode("MANUAL");
    lathe.model.startSpindle(800);
    lathe.flush();
    await waitFor("mode MANUAL (strings pass)", () => h.last("mode")?.value === "MANUAL");
    await new Promise((r) => setTimeout(r, 1500));
    // The spindle ramped by hundreds of rev/min: all within the huge deadband, so only the first value.
    expect(lathe.driver.state.spindleSpeed).toBeGreaterThan(100);
    expect(h.readings.filter((r) => r.signal === "spindle.speed")).toHaveLength(1);
    lathe.model.stopSpindle();
    lathe.model.setMode("AUTOMATIC");
    lathe.flush();
  });

  it("names every bad node in the config and still monitors the good ones", async () => {
    const h = await adapter("bad", {
      nodes: {
        "spindle.speed": `ns=${ns};s=lathe-1.spindle.sped`,
        mode: `/${ns}:lathe-1/${ns}:modus`,
        "feed.rate": `ns=${ns};s=lathe-1`,
        "tool.number": "ns=1;i=seven",
        execution: `ns=${ns};s=lathe-1.execution`,
      },
    });
    await waitFor("the good node's value", () => h.last("execution"));
    await waitFor("errors reported", () => h.adapter.problems.length === 4);
    expect(h.adapter.problems).toEqual([
      `monitor.nodes["spindle.speed"]: node ns=${ns};s=lathe-1.spindle.sped does not exist on the server (BadNodeIdUnknown); check the node id`,
      `monitor.nodes["mode"]: browse path "/${ns}:lathe-1/${ns}:modus" leads to no node on the server (BadNoMatch); check the names and namespace indexes`,
      `monitor.nodes["feed.rate"]: node ns=${ns};s=lathe-1 is an Object, not a Variable; point at the variable that holds the value`,
      expect.stringMatching(/^monitor\.nodes\["tool\.number"\]: "ns=1;i=seven" is not a valid node id/),
    ]);
    expect(h.logs.filter((l) => l.level === 50).map((l) => l.msg)).toEqual(h.adapter.problems);
    expect(h.adapter.lastError).toBe(h.adapter.problems[0]);
    expect(h.adapter.stats.errors).toBe(4);
  });

  it(`monitors ${LOAD} items on one session, in chunks under the server's per-call limit`, async () => {
    const nodes = Object.fromEntries(
      Array.from({ length: LOAD }, (_, i) => [
        `raw.${loadVariableName(i).toLowerCase()}`,
        `ns=${ns};s=${loadVariableName(i)}`,
      ]),
    );
    // A chunk size above the server's MaxMonitoredItemsPerCall (1000): the adapter must respect the server.
    const h = await adapter("load", { nodes, chunkSize: 5000, events: false });
    const seen = new Set<string>();
    await waitFor(
      `a value from each of the ${LOAD} items`,
      () => {
        for (const r of h.readings) seen.add(r.signal);
        return seen.size >= LOAD + 1; // + availability
      },
      15_000,
    );
    expect(h.adapter.problems).toEqual([]);
    expect(h.adapter.bindings).toHaveLength(LOAD);
    const running = await waitFor("subscription log line", () =>
      h.logs.find((l) => l.msg === "OPC UA subscription running"),
    );
    expect(running).toMatchObject({ items: LOAD });
    // Values are the server's clock at its tick: they arrive as numbers with source timestamps.
    const sample = h.readings.find((r) => r.signal === "raw.v1999")!;
    expect(typeof sample.value).toBe("number");
    expect(sample.ts).toBe(sample.value);
  });
});
