// The whole product path: SHDR simulator → SHDR adapter → pipeline → MQTT
// (embedded broker and a real Mosquitto) + embedded store + web, wired by the
// Gateway exactly as `maskinport run` does.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { MACHINE_STATES } from "../../src/core/events.ts";
import { Gateway } from "../../src/gateway/gateway.ts";
import { captureLog, repeatedKeys } from "../support/log-lines.ts";
import { type Mosquitto, startMosquitto } from "../support/mosquitto.ts";
import { freePorts, waitFor } from "../support/ports.ts";

type Received = { topic: string; payload: Record<string, unknown>; retain: boolean };

async function gatewayConfig(mqttSection: string, prefix: string) {
  const [web, simA, simB, broker] = await freePorts(4);
  const yaml = `site: test
gateway: { id: gw-it }
mqtt:
${mqttSection.replace("BROKER_PORT", String(broker))}
  prefix: ${prefix}
timeseries:
  embedded: { path: ${join(mkdtempSync(join(tmpdir(), "mp-gw-")), "ts.db")} }
web: { port: ${web}, host: 127.0.0.1, shiftStarts: ["06:30", "14:30"] }
machines:
  - { id: lathe-1, name: Lathe, kind: lathe, monitor: { type: shdr, host: 127.0.0.1, port: ${simA} } }
  - { id: mill-1, name: Mill, kind: mill, monitor: { type: shdr, host: 127.0.0.1, port: ${simB} } }
simulators:
  - { type: shdr, port: ${simA}, machines: 1, seed: 7, timeScale: 60 }
  - { type: shdr, port: ${simB}, machines: 1, seed: 8, timeScale: 60 }
`;
  return parseConfig(yaml, "gateway-test.yaml", {});
}

async function subscribe(
  url: string,
  topic: string,
): Promise<{ messages: Received[]; end(): Promise<void> }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const messages: Received[] = [];
  client.on("message", (t, p, packet) => {
    messages.push({
      topic: t,
      payload: JSON.parse(p.toString()) as Record<string, unknown>,
      retain: packet.retain,
    });
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return { messages, end: () => client.endAsync() };
}

function suite(name: string, brokerSection: () => Promise<{ section: string; url?: string }>) {
  describe(`gateway end to end (${name})`, () => {
    const prefix = `it/${name}/${process.pid}-${Date.now()}`;
    let gateway: Gateway;
    let mqttUrl: string;
    let webPort: number;
    let live: Awaited<ReturnType<typeof subscribe>>;
    const captured = captureLog("info");

    beforeAll(async () => {
      const broker = await brokerSection();
      const config = await gatewayConfig(broker.section, prefix);
      gateway = new Gateway({ config, log: captured.log, version: "test" });
      ({ mqttUrl, webPort } = await gateway.start());
      live = await subscribe(mqttUrl, `${prefix}/#`);
    });

    afterAll(async () => {
      await live?.end();
      await gateway?.stop();
    });

    it("publishes a retained state per machine that a late subscriber reads", async () => {
      await waitFor(
        "state of both machines",
        () =>
          ["lathe-1", "mill-1"].every((m) => live.messages.some((x) => x.topic === `${prefix}/${m}/state`)) ||
          undefined,
      );
      const late = await subscribe(mqttUrl, `${prefix}/+/state`);
      // The broker sends the retained copy first; a live update may follow it.
      const retainedOf = () => late.messages.filter((m) => m.retain);
      const retained = await waitFor("retained states", () =>
        retainedOf().length >= 2 ? retainedOf() : undefined,
      );
      expect(new Set(retained.map((m) => m.topic))).toEqual(
        new Set([`${prefix}/lathe-1/state`, `${prefix}/mill-1/state`]),
      );
      await late.end();
      for (const msg of retained) {
        expect(msg.retain).toBe(true);
        expect(msg.payload.v).toBe(1);
        expect(MACHINE_STATES).toContain(msg.payload.state);
        expect(msg.payload.signals).toHaveProperty("availability");
      }
    });

    it("publishes normalised signals with seq and units", async () => {
      const speed = await waitFor("a spindle speed", () =>
        live.messages.find((m) => m.topic === `${prefix}/lathe-1/signal/spindle.speed`),
      );
      expect(speed.payload).toMatchObject({ v: 1, unit: "rev/min", quality: "good" });
      expect(typeof speed.payload.value).toBe("number");
      // Live (non-retained) deliveries only: a retained copy may race with the live one at subscribe time.
      const liveSignals = () => live.messages.filter((m) => m.topic.includes("/signal/") && !m.retain);
      await waitFor("live signal updates", () => (liveSignals().length >= 20 ? true : undefined));
      const seqs = liveSignals().map((m) => m.payload.seq as number);
      expect(new Set(seqs).size).toBe(seqs.length);
    });

    it("emits cycle events, not retained", async () => {
      const cycle = await waitFor(
        "a cycle.start event",
        () => live.messages.find((m) => /\/event\/cycle\.start$/.test(m.topic)),
        20_000,
      );
      expect(cycle.retain).toBe(false);
      expect(cycle.payload).toMatchObject({ v: 1, type: "cycle.start" });
      expect(typeof cycle.payload.program).toBe("string");
    });

    it("announces itself online (retained) and serves health, metrics and history", async () => {
      const status = await subscribe(mqttUrl, `${prefix}/gateway/gw-it/status`);
      const online = await waitFor("gateway status", () => status.messages[0]);
      await status.end();
      expect(online.payload).toMatchObject({ v: 1, status: "online" });

      const health = await fetch(`http://127.0.0.1:${webPort}/healthz`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe("ok");

      const metrics = await (await fetch(`http://127.0.0.1:${webPort}/metrics`)).text();
      const line = metrics
        .split("\n")
        .find((l) => l.startsWith('maskinport_observations_total{adapter="shdr:lathe-1"'));
      expect(Number(line?.split(" ").pop())).toBeGreaterThan(0);

      const now = Date.now();
      const points = await waitFor("stored spindle speed history", async () => {
        const r = await fetch(
          `http://127.0.0.1:${webPort}/api/machines/lathe-1/history?signal=spindle.speed&from=${now - 120_000}&to=${now + 60_000}&points=50`,
        );
        const body = (await r.json()) as { points?: unknown[] };
        return body.points && body.points.length > 0 ? body.points : undefined;
      });
      expect(points.length).toBeLessThanOrEqual(50);
      // The history query committed the store's rows: they are counted on /metrics.
      const after = await (await fetch(`http://127.0.0.1:${webPort}/metrics`)).text();
      const rows = after.split("\n").find((l) => l.startsWith("maskinport_timeseries_rows_total "));
      expect(Number(rows?.split(" ").pop())).toBeGreaterThan(0);
      expect(after).toMatch(/^maskinport_timeseries_write_errors_total 0$/m);
    });

    it("logs one JSON object per line, each field once, adapter lines naming their adapter", async () => {
      await waitFor("an adapter's connected line", () =>
        captured.lines.find((l) => l.includes('"msg":"connected"')),
      );
      const repeats = captured.lines.filter((l) => repeatedKeys(l).length > 0);
      expect(repeats).toEqual([]);
      const connected = captured.lines
        .filter((l) => l.includes('"msg":"connected"'))
        .map((l) => JSON.parse(l) as { adapter?: string });
      expect(connected.map((l) => l.adapter)).toContain("shdr:lathe-1");
    });

    it("gives the pages the configured shift starts (web.shiftStarts)", async () => {
      const page = await (await fetch(`http://127.0.0.1:${webPort}/`)).text();
      const config = JSON.parse(
        /<script type="application\/json" id="maskinport-config">(.*?)<\/script>/s.exec(page)![1]!,
      ) as { shiftStarts: string[] };
      expect(config.shiftStarts).toEqual(["06:30", "14:30"]);
    });

    it("publishes offline status on stop", async () => {
      const watcher = await subscribe(mqttUrl, `${prefix}/gateway/gw-it/status`);
      await waitFor("initial status", () => watcher.messages[0]);
      if (name === "mosquitto") {
        await gateway.stop();
        const offline = await waitFor("offline status", () =>
          watcher.messages.find((m) => m.payload.status === "offline"),
        );
        expect(offline.payload.v).toBe(1);
      } else {
        // The embedded broker stops with the gateway, so only the retained offline publish before
        // its close can be observed: watch for it as the gateway shuts down.
        const stopping = gateway.stop();
        await waitFor("offline status", () => watcher.messages.find((m) => m.payload.status === "offline"));
        await stopping;
      }
      await watcher.end().catch(() => undefined);
    });
  });
}

let mosquitto: Mosquitto | undefined;
afterAll(async () => {
  await mosquitto?.stop();
});

suite("embedded", async () => ({ section: "  embedded: { port: BROKER_PORT }" }));
suite("mosquitto", async () => {
  mosquitto = await startMosquitto();
  return { section: `  url: ${mosquitto.url}` };
});
