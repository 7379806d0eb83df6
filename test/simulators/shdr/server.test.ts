import { createServer } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type ShdrSimulator, startShdrSimulator } from "../../../simulators/shdr/server.ts";
import { freePort, waitFor } from "../../support/ports.ts";
import { ShdrTestClient } from "./shdr-client.ts";

const log = pino({ level: "silent" });
const running: ShdrSimulator[] = [];
const clients: ShdrTestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(
  options: Partial<Parameters<typeof startShdrSimulator>[0]> = {},
): Promise<ShdrSimulator> {
  const sim = await startShdrSimulator({ port: 0, autoOperator: false, log, ...options });
  running.push(sim);
  return sim;
}

async function client(port: number): Promise<ShdrTestClient> {
  const c = await ShdrTestClient.connect(port);
  clients.push(c);
  return c;
}

function model(sim: ShdrSimulator, i = 0) {
  const m = sim.machines[i]?.model;
  if (!m) throw new Error(`machine ${i} has no model`);
  return m;
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("SHDR simulator over TCP", () => {
  it("sends a full snapshot on connect, then changes as they happen", async () => {
    const sim = await start({ timeScale: 20 });
    const c = await client(sim.ports[0] ?? 0);
    const first = await c.waitForLine("snapshot", (l) => l.includes("|avail|"));
    expect(first).toMatch(/\|avail\|AVAILABLE\|execution\|READY\|mode\|AUTOMATIC\|program\|O1001\|/);
    for (const key of [
      "part_count",
      "Sspeed",
      "Scmd",
      "Sload",
      "Sovr",
      "Fact",
      "Fovr",
      "Rovr",
      "Xact",
      "Yact",
    ]) {
      expect(first).toContain(`|${key}|`);
    }
    expect(first.split("|")[0]).toMatch(ISO_MS);
    await c.waitForLine("condition in snapshot", (l) => l.endsWith("|system|NORMAL||||"));
    await c.waitForLine("message in snapshot", (l) => l.endsWith("|message||"));

    const before = c.lines.length;
    expect(model(sim).runProgram("O1001")).toBe(true);
    await c.waitForLine("execution ACTIVE", (l) => l.includes("|execution|ACTIVE"), before);
    // The spindle ramps: several distinct speeds on the way up, not one jump.
    await waitFor("spindle at speed", () =>
      c.text.slice(before).some((l) => /\|Sspeed\|1[12]\d\d(\||$)/.test(l)),
    );
    const speeds = c.text
      .slice(before)
      .flatMap((l) => [...l.matchAll(/\|Sspeed\|(\d+)/g)].map((m) => Number(m[1])))
      .filter((v) => v > 0 && v < 1100);
    expect(speeds.length).toBeGreaterThanOrEqual(2);
  });

  it("answers * PING with * PONG and the configured interval, ignoring junk", async () => {
    const sim = await start({ heartbeatMs: 2500 });
    const c = await client(sim.ports[0] ?? 0);
    c.send("hello there");
    c.socket.write(`${"x".repeat(5000)}\n`);
    c.send("* PING");
    await c.waitForLine("PONG", (l) => l === "* PONG 2500");
  });

  it("serves several clients and several machines", async () => {
    const sim = await start({ machines: 3, timeScale: 5 });
    expect(sim.ports).toHaveLength(3);
    expect(new Set(sim.ports).size).toBe(3);
    expect(sim.machines.map((m) => [m.id, m.kind])).toEqual([
      ["sim-1", "lathe"],
      ["sim-2", "mill"],
      ["sim-3", "lathe"],
    ]);
    const a = await client(sim.ports[1] ?? 0);
    const b = await client(sim.ports[1] ?? 0);
    await a.waitForLine(
      "snapshot a",
      (l) => l.includes("|avail|AVAILABLE|") && l.includes("|program|O2001|"),
    );
    await b.waitForLine("snapshot b", (l) => l.includes("|avail|AVAILABLE|"));
    await waitFor("two clients", () => sim.machines[1]?.clients() === 2);
    model(sim, 1).raiseAlarm("EX1003", "fault", "DOOR OPEN");
    for (const c of [a, b]) {
      await c.waitForLine("fault", (l) => l.endsWith("|system|FAULT|EX1003|1||DOOR OPEN"));
    }
    model(sim, 1).clearAlarm("EX1003");
    for (const c of [a, b]) await c.waitForLine("normal", (l) => /\|system\|NORMAL\|\|\|\|$/.test(l), 3);
    const other = await client(sim.ports[0] ?? 0);
    await other.waitForLine("lathe snapshot", (l) => l.includes("|program|O1001|"));
    expect(other.text.some((l) => l.includes("EX1003"))).toBe(false);
  });

  it("sends avail|UNAVAILABLE at power off and a fresh snapshot at power on", async () => {
    const sim = await start();
    const c = await client(sim.ports[0] ?? 0);
    await c.waitForLine("snapshot", (l) => l.includes("|avail|AVAILABLE|"));
    const mark = c.lines.length;
    model(sim).powerOff();
    const down = await c.waitForLine("unavailable", (l) => l.includes("|avail|UNAVAILABLE"), mark);
    expect(down).toContain("|execution|UNAVAILABLE|");
    await c.waitForLine("condition unavailable", (l) => l.endsWith("|system|UNAVAILABLE||||"), mark);
    // A client connecting while the machine is off sees it off.
    const late = await client(sim.ports[0] ?? 0);
    await late.waitForLine("late snapshot", (l) => l.includes("|avail|UNAVAILABLE"));
    const mark2 = c.lines.length;
    model(sim).powerOn();
    await c.waitForLine("available again", (l) => l.includes("|avail|AVAILABLE|execution|READY"), mark2);
  });

  it("listens on port + i for a fixed port, and close() frees it", async () => {
    const port = await freePort();
    const sim = await start({ port });
    expect(sim.ports).toEqual([port]);
    const c = await client(port);
    await c.waitForLine("snapshot", (l) => l.includes("|avail|"));
    await expect(startShdrSimulator({ port, log })).rejects.toThrow(
      `cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
    );
    await sim.close();
    await sim.close(); // idempotent
    await waitFor("client disconnected", () => c.closed);
    expect(await canListen(port)).toBe(true);
  });

  it("rejects bad options with a clear message", async () => {
    await expect(startShdrSimulator({ port: 0, machines: 0, log })).rejects.toThrow(/machines must be 1–64/);
    await expect(startShdrSimulator({ port: 70000, log })).rejects.toThrow(/port must be 0–65535/);
    await expect(startShdrSimulator({ port: 65535, machines: 2, log })).rejects.toThrow(/past 65535/);
    await expect(startShdrSimulator({ port: 0, timeScale: 0, log })).rejects.toThrow(/timeScale must be > 0/);
  });
});
