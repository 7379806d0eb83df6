import { createServer, type Server, type Socket } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type MtconnectSimulator, startMtconnectSimulator } from "../../../simulators/mtconnect/simulator.ts";
import { startShdrSimulator } from "../../../simulators/shdr/server.ts";
import { type Harness, startAdapter } from "../../adapters/mtconnect/harness.ts";
import { CPPAGENT_FIXTURES } from "../../support/fixtures.ts";
import { waitFor } from "../../support/ports.ts";

// The simulated agent in front of an SHDR adapter: SHDR lines → observations
// of the Devices.xml's items → the MTConnect adapter's readings.

const DEVICES = `${CPPAGENT_FIXTURES}/Devices.xml`;
const OKUMA_LOG = `${CPPAGENT_FIXTURES}/okuma.txt`;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function fakeAdapter(): Promise<{
  port: number;
  clients(): number;
  send(line: string): void;
  drop(): void;
}> {
  const clients = new Set<Socket>();
  const server: Server = createServer((s) => {
    clients.add(s);
    s.on("close", () => clients.delete(s));
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    clients: () => clients.size,
    send: (line) => {
      for (const c of clients) c.write(`${line}\n`);
    },
    drop: () => {
      for (const c of clients) c.destroy();
    },
  };
}

async function agentFor(port: number): Promise<MtconnectSimulator> {
  const sim = await startMtconnectSimulator({
    shdr: { host: "127.0.0.1", port, devicesXml: DEVICES, device: "OKUMA" },
  });
  cleanup.push(() => sim.close());
  return sim;
}
async function adapterFor(url: string): Promise<Harness> {
  const h = await startAdapter(url, [{ id: "multus-1", device: "OKUMA" }]);
  cleanup.push(() => h.stop());
  return h;
}

describe("MTConnect simulator fed by SHDR", () => {
  it("serves what an SHDR adapter sends, and UNAVAILABLE while the adapter is away", async () => {
    const shdr = await fakeAdapter();
    const agent = await agentFor(shdr.port);
    expect(agent.devices.map((d) => d.name)).toEqual(["OKUMA"]);
    const h = await adapterFor(agent.url);
    await h.until("initially unavailable", (r) => r.signal === "availability" && r.value === "UNAVAILABLE");

    const from = h.readings.length;
    await waitFor("the agent connected to the adapter", () => shdr.clients() === 1);
    shdr.send(
      "2022-08-08T13:51:34.7167146Z|avail|AVAILABLE|pexecution|ACTIVE|S1speed|1200|pprogram|IMTS-2022-1E-mm.MIN",
    );
    shdr.send("2022-08-08T13:51:35.0000000Z|system|FAULT|2001|3|HIGH|Spindle overload");
    await h.until("spindle speed", (r) => r.signal === "spindle.speed" && r.value === 1200, from);
    expect(h.of("multus-1", "execution", from).at(-1)?.value).toBe("ACTIVE");
    expect(h.of("multus-1", "program.name", from).at(-1)?.value).toBe("IMTS-2022-1E-mm.MIN");
    expect(h.of("multus-1", "spindle.speed", from).at(-1)?.ts).toBe(Date.UTC(2022, 7, 8, 13, 51, 34, 716));
    const alarm = await h.until("fault", (r) => r.signal === "alarm" && r.alarm?.level === "fault", from);
    expect(alarm.alarm).toMatchObject({ key: "system", nativeCode: "2001", text: "Spindle overload" });

    const later = h.readings.length;
    shdr.drop();
    await h.until(
      "unavailable again",
      (r) => r.signal === "availability" && r.value === "UNAVAILABLE",
      later,
    );
  });

  it("replays the captured Okuma log through the agent (sim shdr --replay)", async () => {
    const shdr = await startShdrSimulator({
      port: 0,
      replay: OKUMA_LOG,
      speed: 50,
      log: pino({ level: "silent" }),
    });
    cleanup.push(() => shdr.close());
    const agent = await agentFor(shdr.machines[0]!.port);
    const h = await adapterFor(agent.url);
    const program = await h.until(
      "a program from the log",
      (r) => r.signal === "program.name" && /^IMTS-2022-/.test(String(r.value)),
      0,
      15_000,
    );
    expect(program.machine).toBe("multus-1");
    await h.until("spindle data", (r) => r.signal === "spindle.speed" && typeof r.value === "number");
    expect(h.adapter.stats.errors).toBe(0);
  });
});
