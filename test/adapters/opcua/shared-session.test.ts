// Several machines on one OPC UA server share one client session (the OPC UA
// protocol's factory gives its adapters one SessionPool), each with its own
// subscription; a server restart brings every machine back on the one
// session. Sessions are counted on the server side.
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { type OpcuaSimulator, startOpcuaSimulator } from "../../../simulators/opcua/server.ts";
import { opcuaProtocol } from "../../../src/adapters/opcua/protocol.ts";
import type { Adapter } from "../../../src/core/contracts.ts";
import type { Reading } from "../../../src/core/observation.ts";
import { FAST, startAdapter, tempDir, waitFor } from "./helpers.ts";

const dir = tempDir("opcua-shared");
let sim: OpcuaSimulator | undefined;
const running: { stop(): Promise<void> }[] = [];

afterAll(async () => {
  await Promise.all(running.map((a) => a.stop()));
  await sim?.close();
  dir.remove();
});

/** lathe-1 and mill-2 on one server; the test drives them. */
const start = (port: number) =>
  startOpcuaSimulator({
    port,
    machines: 2,
    autoOperator: false,
    pkiDir: `${dir.path}/sim-pki`,
    securityModes: ["None"],
  });

function script(s: OpcuaSimulator) {
  const [lathe, mill] = s.machines;
  lathe!.model.runProgram("O1001");
  mill!.model.runProgram("O2001");
  lathe!.flush();
  mill!.flush();
}

describe("opcua: machines on one server", () => {
  it("share one session with a subscription each, and both recover from a server restart", async () => {
    sim = await start(0);
    const port = sim.port;
    const monitor = (machine: string) =>
      opcuaProtocol.configSchema.parse({
        type: "opcua",
        endpoint: sim!.endpoint,
        machine,
        pkiDir: `${dir.path}/gw`,
        // A restart on a loaded test machine takes seconds: not an outage.
        offlineAfterMs: 60_000,
        ...FAST,
      });
    // The product's path: the registry's factory, given every OPC UA machine of the config.
    const adapters: Adapter[] = await opcuaProtocol.createAdapters(
      [
        { id: "lathe-1", monitor: monitor("lathe-1") },
        { id: "mill-2", monitor: monitor("mill-2") },
      ],
      { log: pino({ level: "silent" }) },
    );
    const readings: Reading[] = [];
    for (const a of adapters) {
      await a.start({ log: pino({ level: "silent" }), emit: (batch) => readings.push(...batch) });
      running.push(a);
    }
    const connected = () => adapters.every((a) => a.stats.connected);
    const moving = (machine: string, after: number) =>
      readings.some(
        (r) => r.machine === machine && r.signal === "spindle.speed" && r.rx > after && Number(r.value) > 0,
      );

    await waitFor("both machines subscribed", connected, 20_000);
    script(sim);
    await waitFor("values of both machines", () => moving("lathe-1", 0) && moving("mill-2", 0), 20_000);
    expect(sim.sessionCount()).toBe(1);

    // The count is real: an adapter with a pool of its own adds a session, and takes it away again.
    const alone = await startAdapter("lathe-1", {
      endpoint: sim.endpoint,
      machine: "lathe-1",
      pkiDir: `${dir.path}/gw-alone`,
    });
    await waitFor("the separate adapter", () => alone.adapter.state === "connected", 20_000);
    expect(sim.sessionCount()).toBe(2);
    await alone.stop();
    await waitFor("its session closed", () => sim!.sessionCount() === 1);

    await sim.close();
    await waitFor("connection loss noticed by both", () => adapters.every((a) => !a.stats.connected));
    const restartedAt = Date.now();
    sim = await start(port);
    script(sim);
    await waitFor(
      "values of both machines after the restart",
      () => moving("lathe-1", restartedAt) && moving("mill-2", restartedAt),
      30_000,
    );
    await waitFor("both connected again", connected);
    expect(sim.sessionCount()).toBe(1);
    expect(adapters.map((a) => a.stats.connects)).toEqual([2, 2]);
    // Never reported offline: the restart stayed within offlineAfterMs.
    expect(readings.filter((r) => r.signal === "availability").map((r) => [r.machine, r.value])).toEqual([
      ["lathe-1", "AVAILABLE"],
      ["mill-2", "AVAILABLE"],
    ]);

    for (const a of adapters) await a.stop();
    await waitFor("the shared session closed with the last machine", () => sim!.sessionCount() === 0);
  }, 90_000);
});
