import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type MtconnectSimulator, startMtconnectSimulator } from "../../../simulators/mtconnect/simulator.ts";
import type { MachineEvent } from "../../../src/core/events.ts";
import { Pipeline } from "../../../src/pipeline/pipeline.ts";
import { manualIntake } from "../../support/intake.ts";
import { waitFor } from "../../support/ports.ts";
import { type Harness, startAdapter } from "./harness.ts";

// The adapter against the simulated agent over real HTTP on 127.0.0.1: values,
// agent restart, slow consumer, cut connection, heartbeat loss, polling, offline.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function sim(options: Parameters<typeof startMtconnectSimulator>[0] = {}): Promise<MtconnectSimulator> {
  const s = await startMtconnectSimulator({ machines: 2, autoOperator: false, tickMs: 20, ...options });
  cleanup.push(() => s.close());
  return s;
}
async function adapter(...args: Parameters<typeof startAdapter>): Promise<Harness> {
  const h = await startAdapter(...args);
  cleanup.push(() => h.stop());
  return h;
}
const MACHINES = [
  { id: "lathe-a", device: "lathe-1" },
  { id: "mill-b", device: "maskinport-sim-mill-2" },
];

describe("MtconnectAdapter against the simulated agent", () => {
  for (const schema of ["2.0", "1.3"] as const) {
    it(`streams values of two machines from one agent (schema ${schema})`, async () => {
      const agent = await sim({ schema, timeScale: 20 });
      const h = await adapter(agent.url, MACHINES);
      await h.until(
        "both machines READY",
        () => h.of("mill-b", "execution").length > 0 && h.of("lathe-a", "execution").length > 0,
      );
      expect(h.of("lathe-a", "availability")[0]!.value).toBe("AVAILABLE");
      expect(h.of("mill-b", "program.name")[0]!.value).toBe("O2001");

      const from = h.readings.length;
      agent.models[0]!.runProgram("O1001");
      agent.models[1]!.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
      agent.poll();
      await h.until("lathe ACTIVE", (r) => r.machine === "lathe-a" && r.value === "ACTIVE", from);
      const speed = await h.until(
        "spindle turning",
        (r) => r.signal === "spindle.speed" && (r.value as number) > 0,
        from,
      );
      expect(speed).toMatchObject({
        machine: "lathe-a",
        unit: "rev/min",
        quality: "good",
        source: { protocol: "mtconnect" },
      });
      const feed = await h.until("feed", (r) => r.signal === "feed.rate" && (r.value as number) > 0, from);
      expect(feed.unit).toBe("mm/min");
      const alarm = await h.until("alarm", (r) => r.signal === "alarm" && r.alarm?.level === "warning", from);
      expect(alarm).toMatchObject({
        machine: "mill-b",
        value: "warning",
        alarm: { key: "system", nativeCode: "EX1010", text: "COOLANT LEVEL LOW", level: "warning" },
      });
      expect(Math.abs(speed.ts - Date.now())).toBeLessThan(5000); // agent time, with or without Z, read as UTC
      expect(h.adapter.stats).toMatchObject({
        connected: true,
        connects: 1,
        errors: 0,
        unmapped: 0,
        gaps: 0,
      });
    });
  }

  it("recovers from an agent restart (new instanceId) without a duplicate cycle", async () => {
    const agent = await sim({ machines: 1, timeScale: 1 });
    const pipeline = new Pipeline({ machines: ["lathe-a"], cycleEndGraceMs: 0 });
    const events: MachineEvent[] = [];
    const h = await adapter(agent.url, [{ id: "lathe-a" }], {}, (rs) =>
      events.push(...pipeline.process(rs).events),
    );
    await h.until("connected", (r) => r.signal === "execution");
    agent.models[0]!.runProgram("O1001");
    agent.poll();
    await waitFor("cycle.start", () => events.some((e) => e.type === "cycle.start"));
    const before = h.adapter.stats.documents;

    agent.faults.restart();
    await waitFor(
      "re-probe after restart",
      () => h.adapter.stats.instanceChanges === 1 && h.adapter.stats.connected,
    );
    await waitFor("streaming again", () => h.adapter.stats.documents > before + 3);
    agent.models[0]!.feedHold();
    agent.poll();
    await h.until("feed hold after restart", (r) => r.value === "FEED_HOLD");

    expect(events.filter((e) => e.type === "cycle.start")).toHaveLength(1);
    expect(events.filter((e) => e.type === "cycle.end")).toHaveLength(0);
    expect(events.some((e) => e.type === "state.change" && e.to === "offline")).toBe(false);
    expect(h.of("lathe-a", "availability").map((r) => r.value)).not.toContain("UNAVAILABLE");
    expect(h.adapter.stats).toMatchObject({ resyncs: 1, gaps: 0, errors: 0 });
  });

  it("re-syncs from /current after OUT_OF_RANGE (slow consumer) and counts the gap", async () => {
    const agent = await sim({ machines: 1, timeScale: 20, bufferSize: 16 });
    const h = await adapter(agent.url, [{ id: "lathe-a" }], { heartbeatMs: 1000 });
    await h.until("connected", (r) => r.signal === "execution");
    agent.models[0]!.runProgram("O1001");
    agent.poll();
    agent.faults.slowConsumer(700); // the agent stops reading for this client while the machine keeps moving
    await waitFor("a gap", () => h.adapter.stats.gaps >= 1, 8000);
    const from = h.readings.length;
    await h.until("data again after the re-sync", (r) => r.signal === "axis.x.position", from);
    expect(h.adapter.stats.resyncs).toBeGreaterThanOrEqual(1);
    expect(h.adapter.stats.lostSequences).toBeGreaterThan(0);
    expect(h.adapter.stats.errors).toBe(0);
    expect(h.adapter.stats.connected).toBe(true);
  });

  it("re-syncs when a document starts past `from` (an agent that skips instead of OUT_OF_RANGE)", async () => {
    const probe = readFileSync(new URL("./cases/simple-stream/devices.xml", import.meta.url), "utf8");
    const doc = (first: number, next: number, body = "") =>
      `<MTConnectStreams><Header instanceId="1" firstSequence="${first}" lastSequence="${next - 1}" nextSequence="${next}"/><Streams>${body}</Streams></MTConnectStreams>`;
    const exec = (v: string) =>
      `<DeviceStream name="SimpleCnc"><ComponentStream component="Path"><Events><Execution dataItemId="a01c7f30" sequence="5" timestamp="2024-01-01T00:00:00Z">${v}</Execution></Events></ComponentStream></DeviceStream>`;
    let currents = 0;
    const server = createServer((req, res) => {
      const url = req.url ?? "";
      res.writeHead(200, { "Content-Type": "text/xml" });
      if (url.startsWith("/probe")) res.end(probe);
      else if (url.startsWith("/current"))
        res.end(currents++ === 0 ? doc(1, 10, exec("READY")) : doc(50, 60, exec("ACTIVE")));
      else if (url.startsWith("/sample?from=10")) res.end(doc(50, 60, exec("STOPPED")));
      else res.end(doc(50, 60));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const h = await adapter(url, [{ id: "simple", device: "SimpleCnc" }], { mode: "poll", pollMs: 50 });
    await h.until("state after the re-sync", (r) => r.signal === "execution" && r.value === "ACTIVE");
    expect(h.of("simple", "execution").map((r) => r.value)).toEqual(["READY", "ACTIVE"]); // STOPPED was past the gap: dropped with its document
    expect(h.adapter.stats).toMatchObject({ gaps: 1, lostSequences: 40, errors: 0 });
  });

  it("reconnects after the TCP connection is cut", async () => {
    const agent = await sim({ machines: 1, timeScale: 20 });
    const h = await adapter(agent.url, [{ id: "lathe-a" }]);
    // /current, then at least one part of the /sample stream: the connection to cut is open.
    await waitFor("streaming", () => h.adapter.stats.documents >= 2);
    agent.faults.cutConnections();
    await waitFor("second connect", () => h.adapter.stats.connects === 2, 8000);
    const from = h.readings.length;
    agent.models[0]!.runProgram("O1001");
    agent.poll();
    await h.until("values after reconnect", (r) => r.value === "ACTIVE", from);
    expect(h.adapter.stats.disconnects).toBeGreaterThanOrEqual(1);
    expect(h.adapter.stats.errors).toBe(0);
  });

  it("reconnects when neither data nor heartbeat arrives within 2× heartbeat", async () => {
    const agent = await sim({ machines: 1 });
    const h = await adapter(agent.url, [{ id: "lathe-a" }], { heartbeatMs: 200 });
    await waitFor("streaming", () => h.adapter.stats.documents >= 2);
    agent.faults.stall(1200);
    await waitFor("heartbeat timeout", () =>
      /no data and no heartbeat for 400 ms/.test(h.adapter.stats.lastError ?? ""),
    );
    await waitFor("reconnected", () => h.adapter.stats.connects >= 2 && h.adapter.stats.connected, 8000);
  });

  it("polls agents in poll mode", async () => {
    const agent = await sim({ machines: 1, timeScale: 20 });
    const h = await adapter(agent.url, [{ id: "lathe-a" }], { mode: "poll", pollMs: 50, count: 5 });
    await h.until("connected", (r) => r.signal === "execution");
    const from = h.readings.length;
    agent.models[0]!.runProgram("O1001");
    agent.poll();
    await h.until("values by polling", (r) => r.value === "ACTIVE", from);
    await h.until("moving", (r) => r.signal === "spindle.speed" && (r.value as number) > 0, from);
    expect(h.adapter.stats.errors).toBe(0);
  });

  it("reports the machines offline when the agent stays away, and back when it returns", async () => {
    const agent = await sim({ machines: 1 });
    const h = await adapter(agent.url, [{ id: "lathe-a" }], { offlineAfterMs: 300 });
    await h.until("connected", (r) => r.signal === "availability" && r.value === "AVAILABLE");
    const port = agent.port;
    await agent.close();
    await h.until("offline", (r) => r.signal === "availability" && r.value === "UNAVAILABLE");
    const back = await startMtconnectSimulator({ machines: 1, autoOperator: false, port });
    cleanup.push(() => back.close());
    const from = h.readings.length;
    await h.until("available again", (r) => r.signal === "availability" && r.value === "AVAILABLE", from);
    expect(h.of("lathe-a", "execution", from)).toHaveLength(1); // re-synced from /current
  });

  it("explains a device the agent does not have, and keeps retrying", async () => {
    const agent = await sim({ machines: 1 });
    const h = await adapter(agent.url, [{ id: "x", device: "Okuma" }]);
    await waitFor("binding error", () => h.adapter.stats.errors >= 2);
    expect(h.adapter.stats.lastError).toMatch(
      /device "Okuma" is not in http:\/\/127\.0\.0\.1:\d+\/probe; the agent serves: lathe-1/,
    );
    expect(h.readings).toHaveLength(0);
  });
});

describe("MtconnectAdapter intake backpressure", () => {
  it("stops reading the stream while intake is paused, without a heartbeat timeout, and catches up after", async () => {
    const intake = manualIntake();
    const setPaused = (p: boolean) => intake.set(p);
    const agent = await sim({ timeScale: 20 });
    const h = await adapter(agent.url, MACHINES, {}, undefined, intake);
    await h.until("lathe READY", (r) => r.machine === "lathe-a" && r.signal === "execution");
    const disconnects = h.adapter.stats.disconnects;

    setPaused(true);
    await new Promise((r) => setTimeout(r, 100));
    const from = h.readings.length;
    agent.models[0]!.runProgram("O1001");
    agent.poll();
    // Three heartbeat limits (2 × 400 ms) without reading: nothing arrives, the connection stays.
    await new Promise((r) => setTimeout(r, 1200));
    expect(h.readings.length).toBe(from);
    expect(h.adapter.stats.disconnects).toBe(disconnects);

    setPaused(false);
    await h.until("lathe ACTIVE after resume", (r) => r.machine === "lathe-a" && r.value === "ACTIVE", from);
    expect(h.adapter.stats.disconnects).toBe(disconnects);
  });
});
