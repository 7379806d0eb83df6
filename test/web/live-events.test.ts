import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Observation } from "../../src/core/observation.ts";
import type { WebTuning } from "../../src/web/app.ts";
import { waitFor } from "../support/ports.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import { http } from "./support/http.ts";
import { type ServedApp, serve } from "./support/serve.ts";
import { SseClient } from "./support/sse-client.ts";

// GET /events over a real socket: what a browser receives, in what order,
// how fast values are coalesced, and that nothing is left behind when
// browsers go away.

let served: ServedApp | undefined;
const clients: SseClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await served?.close();
  served = undefined;
});

async function start(tuning: Partial<WebTuning> = {}) {
  const fleet = new FakeFleet();
  served = await serve(fleet.deps(), tuning);
  return { fleet, app: served.app, url: `${served.baseUrl}/events` };
}

async function open(url: string): Promise<SseClient> {
  const client = await SseClient.connect(url);
  clients.push(client);
  return client;
}

const until = (condition: () => boolean, what: string) => waitFor(what, () => condition() || undefined, 3000);

function speed(machine: string, value: number, ts: number): Observation {
  return {
    machine,
    signal: "spindle.speed",
    value,
    unit: "rev/min",
    ts,
    rx: ts,
    quality: "good",
    source: { protocol: "shdr", ref: "S1speed" },
    seq: ts,
  };
}

describe("GET /events", () => {
  it("starts with a snapshot of every machine, then delivers a pushed alarm", async () => {
    const { fleet, url } = await start();
    const client = await open(url);
    expect(client.status).toBe(200);
    expect(client.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(client.headers["cache-control"]).toContain("no-cache");
    // The stream bypasses fastify's reply, but keeps the security headers helmet put on the raw response.
    expect(client.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(client.headers["x-content-type-options"]).toBe("nosniff");

    const first = await client.next(() => true);
    expect(first.event).toBe("snapshot");
    const snapshot = JSON.parse(first.data);
    expect(snapshot.machines.map((m: { id: string }) => m.id)).toEqual(fleet.machines.map((m) => m.id));
    expect(snapshot.machines[0].snapshot.state).toBe("running");

    fleet.raiseAlarm("lathe-1", "1021", "SPINDEL OVERLAST", 1_700_000_000_000);
    const alarm = await client.next((m) => m.event === "event" && JSON.parse(m.data).type === "alarm.raise");
    expect(JSON.parse(alarm.data)).toMatchObject({
      machine: "lathe-1",
      nativeCode: "1021",
      text: "SPINDEL OVERLAST",
    });
    const state = await client.next((m) => m.event === "state");
    expect(JSON.parse(state.data)).toMatchObject({ machine: "lathe-1", state: "alarm" });
    expect(client.messages.map((m) => m.event)).toEqual(["snapshot", "event", "event", "state"]);
  });

  it("coalesces a burst of observations into at most one update per machine and interval", async () => {
    const { fleet, url } = await start({ signalThrottleMs: 250 });
    const client = await open(url);
    await client.next((m) => m.event === "snapshot");

    const t0 = 1_700_000_000_000;
    for (let i = 1; i <= 20; i++) {
      // 20 batches × 1000 observations, as an adapter at full speed would deliver them.
      const batch = Array.from({ length: 1000 }, (_, j) =>
        speed(j % 2 ? "lathe-1" : "mill-3", i * 1000 + j, t0 + i * 1000 + j),
      );
      fleet.push({ observations: batch });
    }
    await client.next((m) => m.event === "signals" && JSON.parse(m.data).machine === "mill-3");
    await client.next((m) => m.event === "signals" && JSON.parse(m.data).machine === "lathe-1");
    await new Promise((r) => setTimeout(r, 600));

    const updates = client.messages.filter((m) => m.event === "signals").map((m) => JSON.parse(m.data));
    expect(updates).toHaveLength(2); // 40 000 observations → one message per machine
    const lathe = updates.find((u) => u.machine === "lathe-1");
    expect(lathe.signals["spindle.speed"]).toEqual({ value: 20_999, ts: t0 + 20_999, unit: "rev/min" });
  });

  it("sends a heartbeat comment to keep idle streams open", async () => {
    const { url } = await start({ heartbeatMs: 40 });
    const client = await open(url);
    await until(() => client.comments.includes("heartbeat"), "a heartbeat comment");
  });

  it("lets go of every listener and client when browsers disconnect, however many come and go", async () => {
    // All from one address here; the per-address cap has its own tests (live-limits.test.ts).
    const { fleet, app, url } = await start({ maxLiveClientsPerAddress: 20 });
    for (let round = 0; round < 5; round++) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => open(url)));
      await Promise.all(batch.map((c) => c.next((m) => m.event === "snapshot")));
      expect(app.liveClientCount()).toBe(20);
      expect(fleet.listeners.size).toBe(1); // one shared subscription, not one per browser
      for (const c of batch) c.close();
      await until(() => app.liveClientCount() === 0, "all clients to be released");
      expect(fleet.listeners.size).toBe(0);
    }
    // Output with nobody listening goes nowhere and costs nothing.
    fleet.raiseAlarm("mill-2", "2001", "DØR ÅPEN", Date.now());
    const metrics = await http(served!.baseUrl, "/metrics");
    expect(metrics.body).toContain("maskinport_web_live_clients 0");
  });

  it("refuses clients beyond the limit with 503", async () => {
    const { url } = await start({ maxLiveClients: 2 });
    await open(url);
    await open(url);
    const third = await http(served!.baseUrl, "/events");
    expect(third.status).toBe(503);
    expect(third.headers["retry-after"]).toBe("10");
    expect(JSON.parse(third.body).error).toBe("too_many_clients");
  });

  it("drops a client that stops reading instead of buffering for it without end", async () => {
    const { fleet, app } = await start({ maxBufferedBytes: 64 * 1024 });
    const port = new URL(served!.baseUrl).port;
    const stalled = connect(Number(port), "127.0.0.1");
    stalled.on("error", () => {});
    stalled.write("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stalled.pause(); // never reads
    await until(() => app.liveClientCount() === 1, "the stalled client to connect");

    const text = "X".repeat(16 * 1024);
    for (let i = 0; i < 2000 && app.liveClientCount() > 0; i++) {
      fleet.push({
        events: [
          {
            type: "alarm.raise",
            machine: "lathe-1",
            ts: i,
            key: "k",
            nativeCode: String(i),
            severity: "fault",
            text,
          },
        ],
      });
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => app.liveClientCount() === 0, "the stalled client to be dropped");
    expect(fleet.listeners.size).toBe(0);
    stalled.destroy();
  });

  it("answers HEAD with headers only instead of an endless stream", async () => {
    const { app } = await start();
    const res = await http(served!.baseUrl, "/events", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(app.liveClientCount()).toBe(0);
  });

  it("ends every stream when the app closes", async () => {
    const { app, url, fleet } = await start();
    const client = await open(url);
    await client.next((m) => m.event === "snapshot");
    app.close();
    await until(() => client.ended, "the stream to end");
    expect(fleet.listeners.size).toBe(0);
  });
});
