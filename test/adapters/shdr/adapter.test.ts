import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ShdrAdapter } from "../../../src/adapters/shdr/adapter.ts";
import { shdrMonitorSchema } from "../../../src/adapters/shdr/config.ts";
import type { Reading } from "../../../src/core/observation.ts";
import { manualIntake } from "../../support/intake.ts";
import { FakeShdrServer, waitFor } from "./fake-shdr-server.ts";

const T = "2024-03-01T08:00:00.000Z";
const SNAPSHOT = `${T}|avail|AVAILABLE|execution|READY|program|O100|Sspeed|0\n${T}|system|NORMAL||||\n`;

type Harness = { adapter: ShdrAdapter; readings: Reading[]; logs: Record<string, unknown>[] };
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startAdapter(
  port: number,
  monitor: Record<string, unknown> = {},
  emit?: () => void,
): Promise<Harness> {
  const readings: Reading[] = [];
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const config = shdrMonitorSchema.parse({ type: "shdr", host: "127.0.0.1", port, ...monitor });
  const adapter = new ShdrAdapter({ machine: "lathe-1", config, random: () => 1 });
  await adapter.start({
    emit: (batch) => {
      emit?.();
      readings.push(...batch);
    },
    log: pino({ level: "debug" }, sink),
  });
  cleanups.push(() => adapter.stop());
  return { adapter, readings, logs };
}

async function server(port?: number): Promise<FakeShdrServer> {
  const s = await FakeShdrServer.start(port);
  cleanups.push(() => s.close());
  return s;
}

const lastValue = (readings: Reading[], signal: string) =>
  readings.filter((r) => r.signal === signal).at(-1)?.value;

describe("ShdrAdapter over real TCP", () => {
  it("connects, sends * PING, and turns the adapter's lines into readings", async () => {
    const s = await server();
    s.onClient = (sock) => sock.write(SNAPSHOT);
    const { adapter, readings } = await startAdapter(s.port);
    await waitFor("the snapshot", () => readings.some((r) => r.signal === "alarm"));
    expect(adapter.id).toBe("shdr:lathe-1");
    expect(adapter.machines).toEqual(["lathe-1"]);
    expect(readings.map((r) => [r.signal, r.value])).toEqual([
      ["availability", "AVAILABLE"],
      ["execution", "READY"],
      ["program.name", "O100"],
      ["spindle.speed", 0],
      ["alarm", "NORMAL"],
    ]);
    expect(readings.every((r) => r.machine === "lathe-1" && r.source.protocol === "shdr")).toBe(true);
    await waitFor("a PING", () => s.pings() >= 1);
    expect(adapter.stats).toMatchObject({
      connects: 1,
      connected: true,
      readings: 5,
      errors: 0,
      unmapped: 0,
    });
  });

  it("joins lines split across TCP chunks", async () => {
    const s = await server();
    const { readings } = await startAdapter(s.port);
    await waitFor("connection", () => s.sockets.length === 1);
    const line = `${T}|Sspeed|1234.5|program|SPLIT-ME|Xact|1.25\n`;
    for (const piece of [line.slice(0, 7), line.slice(7, 30), line.slice(30, 41), line.slice(41)]) {
      s.write(piece);
      await new Promise((r) => setTimeout(r, 15));
    }
    await waitFor("the split line", () => readings.some((r) => r.signal === "axis.x.position"));
    expect(readings.filter((r) => r.source.ref !== "connection").map((r) => [r.signal, r.value])).toEqual([
      ["spindle.speed", 1234.5],
      ["program.name", "SPLIT-ME"],
      ["axis.x.position", 1.25],
    ]);
  });

  it("adopts the interval from * PONG and keeps PINGing at it", async () => {
    const s = await server();
    s.pong = "* PONG 250";
    const { adapter } = await startAdapter(s.port, { heartbeatMs: 60_000 });
    await waitFor("three PINGs at the PONG interval", () => s.pings() >= 3, 3000);
    expect(adapter.heartbeatStats.pongs).toBeGreaterThanOrEqual(2);
    expect(adapter.stats.connects).toBe(1);
    expect(adapter.heartbeatStats.timeouts).toBe(0);
  });

  it("declares the machine unavailable when nothing arrives within 2× the heartbeat, then reconnects", async () => {
    const s = await server();
    s.onClient = (sock) => sock.write(`${SNAPSHOT}* PONG 200\n`); // then silence: PINGs go unanswered
    const { adapter, readings } = await startAdapter(s.port, {
      heartbeatMs: 60_000,
      reconnect: { initialMs: 50, maxMs: 100 },
    });
    await waitFor("snapshot", () => readings.length >= 5);
    await waitFor("the offline readings", () => lastValue(readings, "availability") === "UNAVAILABLE", 3000);
    expect(adapter.heartbeatStats.timeouts).toBe(1);
    const lost = readings.slice(5);
    expect(lost.map((r) => [r.signal, r.value, r.alarm?.level])).toEqual([
      ["availability", "UNAVAILABLE", undefined],
      ["execution", null, undefined],
      ["program.name", null, undefined],
      ["spindle.speed", null, undefined],
      ["alarm", null, "unavailable"],
    ]);
    await waitFor("the reconnect", () => s.accepted >= 2 && adapter.stats.connects >= 2);
    await waitFor(
      "data again",
      () => lastValue(readings, "availability") === "AVAILABLE" && readings.length >= 15,
    );
  });

  it("reconnects after the adapter restarts, with capped exponential backoff", async () => {
    const first = await server();
    first.onClient = (sock) => sock.write(SNAPSHOT);
    const port = first.port;
    const { adapter, readings, logs } = await startAdapter(port, {
      reconnect: { initialMs: 40, maxMs: 160 },
    });
    await waitFor("snapshot", () => readings.length >= 5);
    await first.close();
    await waitFor("offline", () => lastValue(readings, "availability") === "UNAVAILABLE");
    // While the adapter is down every attempt is refused; the delays double up to the cap.
    await waitFor(
      "five failed attempts",
      () => logs.filter((l) => l.msg === "reconnecting").length >= 5,
      5000,
    );
    const delays = logs.filter((l) => l.msg === "reconnecting").map((l) => l.delayMs);
    expect(delays.slice(0, 5)).toEqual([40, 80, 160, 160, 160]);
    // Offline is declared once per outage, not once per failed attempt.
    expect(readings.filter((r) => r.signal === "availability" && r.value === "UNAVAILABLE")).toHaveLength(1);

    const again = await server(port);
    again.onClient = (sock) => sock.write(SNAPSHOT);
    await waitFor(
      "the reconnect",
      () => adapter.stats.connects === 2 && lastValue(readings, "availability") === "AVAILABLE",
    );
    expect(adapter.stats.connected).toBe(true);
    expect(lastValue(readings, "program.name")).toBe("O100");
  });

  it("emits UNAVAILABLE once when the machine cannot be reached from the start", async () => {
    const s = await server();
    const port = s.port;
    await s.close(); // nothing listens here any more
    const { adapter, readings, logs } = await startAdapter(port, {
      reconnect: { initialMs: 20, maxMs: 100 },
    });
    await waitFor("three attempts", () => logs.filter((l) => l.msg === "reconnecting").length >= 3);
    expect(readings.map((r) => [r.signal, r.value, r.source.ref])).toEqual([
      ["availability", "UNAVAILABLE", "connection"],
    ]);
    expect(adapter.stats.connects).toBe(0);
  });

  it("survives garbage, bad UTF-8, a 1.5 MB line, bad timestamps and unknown condition levels", async () => {
    const s = await server();
    const { adapter, readings } = await startAdapter(s.port, { maxLineBytes: 1024 * 1024 });
    await waitFor("connection", () => s.sockets.length === 1);
    s.write(`${T}|Sspeed|1\n`);
    s.write("garbage without any pipes\n");
    s.write(Buffer.from([0x32, 0x30, 0xff, 0xfe, 0x7c, 0x0a])); // "20\xff\xfe|\n"
    s.write(`${T}|huge|${"x".repeat(1536 * 1024)}\n`);
    s.write("2024-13-99T00:00:00Z|Sspeed|2\n");
    s.write(`${T}|system|MELTDOWN|1|||x|Sload|50\n`);
    s.write(`${T}|Sspeed|3\n`);
    await waitFor("the line after the garbage", () => lastValue(readings, "spindle.speed") === 3, 10_000);
    expect(readings.filter((r) => r.signal === "spindle.speed").map((r) => r.value)).toEqual([1, 3]);
    expect(lastValue(readings, "spindle.load")).toBe(50);
    expect(readings.some((r) => r.signal === "raw.huge")).toBe(false);
    expect(adapter.stats.errors).toBe(5);
    expect(adapter.stats.connects).toBe(1);
    expect(adapter.stats.connected).toBe(true);
  });

  it("skips asset commands with multi-line bodies and counts them", async () => {
    const s = await server();
    const { adapter, readings } = await startAdapter(s.port);
    await waitFor("connection", () => s.sockets.length === 1);
    s.write(
      `${T}|@ASSET@|T1|CuttingTool|--multiline--ABCD\n<CuttingTool>\n${T}|Sspeed|999\n</CuttingTool>\n--multiline--ABCD\n`,
    );
    s.write(`${T}|@REMOVE_ASSET@|T1\n${T}|Sspeed|5\n`);
    await waitFor("the line after the assets", () => lastValue(readings, "spindle.speed") === 5);
    expect(readings.filter((r) => r.signal === "spindle.speed").map((r) => r.value)).toEqual([5]);
    expect(adapter.streamCounters.assetCommands).toBe(2);
    expect(adapter.stats.errors).toBe(0);
  });

  it("a pipeline that throws does not take the connection down", async () => {
    const s = await server();
    let calls = 0;
    const { adapter } = await startAdapter(s.port, {}, () => {
      calls++;
      if (calls === 1) throw new Error("boom");
    });
    await waitFor("connection", () => s.sockets.length === 1);
    s.write(`${T}|Sspeed|1\n`);
    await waitFor("first batch", () => calls === 1);
    s.write(`${T}|Sspeed|2\n`);
    await waitFor("second batch", () => calls === 2);
    expect(adapter.stats.connected).toBe(true);
    expect(adapter.stats.errors).toBe(1);
  });

  it("stop() closes the socket and leaves no timers or handles behind", async () => {
    const count = () => {
      const tally: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) tally[r] = (tally[r] ?? 0) + 1;
      return tally;
    };
    const before = count();
    const s = await FakeShdrServer.start();
    s.pong = "* PONG 200";
    s.onClient = (sock) => sock.write(SNAPSHOT);
    const config = shdrMonitorSchema.parse({ type: "shdr", host: "127.0.0.1", port: s.port });
    const adapter = new ShdrAdapter({ machine: "m", config });
    const readings: Reading[] = [];
    await adapter.start({ emit: (b) => readings.push(...b), log: pino({ level: "silent" }) });
    await waitFor("data and a PONG", () => readings.length >= 5 && adapter.heartbeatStats.pongs >= 1);
    await adapter.stop();
    expect(adapter.stats.connected).toBe(false);
    await waitFor("the server to see the close", () => s.sockets.length === 0);
    await s.close();
    // A stopped adapter emits nothing more and does not reconnect.
    const n = readings.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(readings.length).toBe(n);
    expect(s.accepted).toBe(1);
    // Nothing of ours is left: no resource kind (Timeout, TCPSocketWrap…) counts more than before.
    const after = count();
    const grown = Object.keys(after).filter((k) => (after[k] ?? 0) > (before[k] ?? 0));
    expect(grown, JSON.stringify({ before, after })).toEqual([]);
  });
});

describe("ShdrAdapter intake backpressure", () => {
  it("stops reading while intake is paused and reads everything after resume, with no heartbeat timeout", async () => {
    const s = await server();
    s.onClient = (sock) => sock.write(SNAPSHOT);
    s.pong = "* PONG 250";
    const intake = manualIntake();
    const setPaused = (p: boolean) => intake.set(p);
    const readings: Reading[] = [];
    const config = shdrMonitorSchema.parse({
      type: "shdr",
      host: "127.0.0.1",
      port: s.port,
      heartbeatMs: 250,
    });
    const adapter = new ShdrAdapter({ machine: "lathe-1", config, random: () => 1 });
    await adapter.start({ emit: (b) => readings.push(...b), log: pino({ level: "silent" }), intake });
    cleanups.push(() => adapter.stop());
    await waitFor("the snapshot", () => readings.some((r) => r.signal === "alarm"));

    setPaused(true);
    const before = readings.length;
    const lines = Array.from({ length: 50 }, (_, i) => `${T}|Sspeed|${1000 + i}\n`).join("");
    s.write(lines);
    // Several heartbeat intervals without reading: no readings, no timeout, still connected.
    await new Promise((r) => setTimeout(r, 800));
    expect(readings.length).toBe(before);
    expect(adapter.heartbeatStats.timeouts).toBe(0);
    expect(adapter.stats.connected).toBe(true);

    setPaused(false);
    await waitFor("the held lines", () => lastValue(readings, "spindle.speed") === 1049);
    const speeds = readings.filter((r) => r.signal === "spindle.speed").map((r) => r.value);
    expect(speeds.slice(-50)).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
  });
});
