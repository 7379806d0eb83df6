// The MQTT contract (DESIGN.md) checked end to end through a real broker.
// Every broker the sink must work with runs this same suite.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MqttSink, type MqttSinkOptions } from "../../../src/sinks/mqtt/mqtt-sink.ts";
import { DurableOutbox } from "../../../src/sinks/outbox/durable-outbox.ts";
import { waitFor } from "../../support/ports.ts";
import { cycleEnd, obs, output, snapshot } from "./fixtures.ts";
import { type Probe, subscribeProbe } from "./mqtt-probe.ts";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";

export type BrokerUnderTest = {
  url: string;
  port: number;
  /** Stop and start again on the same port; retained messages may be lost. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** What the sink and the probes log in with, if the broker wants a login (the embedded broker lets only the gateway publish). */
  login?: { username: string; password: string };
};

const silent = pino({ level: "silent" });

export function mqttSinkContract(brokerName: string, startBroker: () => Promise<BrokerUnderTest>): void {
  describe(`MqttSink → ${brokerName}`, () => {
    let broker: BrokerUnderTest;
    const cleanups: (() => Promise<unknown>)[] = [];

    beforeAll(async () => {
      broker = await startBroker();
    });
    afterAll(async () => {
      await broker?.stop();
    });
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    // A fresh prefix per test: retained messages of one test never leak into another.
    const newPrefix = (): string => `test-${randomUUID().slice(0, 8)}/raufoss`;

    async function startSink(prefix: string, extra: Partial<MqttSinkOptions> = {}): Promise<MqttSink> {
      const sink = new MqttSink({
        url: broker.url,
        prefix,
        gatewayId: "gw-1",
        signalQos: 0,
        log: silent,
        version: "9.9.9-test",
        reconnectPeriodMs: 100,
        stopTimeoutMs: 1000,
        ...broker.login,
        ...extra,
      });
      cleanups.push(() => sink.stop());
      await sink.start();
      return sink;
    }

    async function probe(filters: string[]): Promise<Probe> {
      const p = await subscribeProbe(broker.url, filters, broker.login);
      cleanups.push(() => p.close());
      return p;
    }

    async function proxy(): Promise<TcpProxy> {
      const p = await startTcpProxy(broker.port);
      cleanups.push(() => p.close());
      return p;
    }

    const acknowledged = (sink: MqttSink) => waitFor("QoS 1 acknowledgements", () => sink.queueDepth() === 0);

    it("publishes gateway status online, retained, on connect", async () => {
      const prefix = newPrefix();
      await startSink(prefix);
      const late = await probe([`${prefix}/gateway/+/status`]);
      const [status] = await late.waitFor(`${prefix}/gateway/gw-1/status`);
      expect(status?.retain).toBe(true);
      expect(status?.payload).toMatchObject({ v: 1, status: "online", version: "9.9.9-test" });
      expect(typeof status?.payload.ts).toBe("number");
    });

    it("keeps each machine's full state retained for a late subscriber", async () => {
      const prefix = newPrefix();
      const sink = await startSink(prefix);
      const lathe = snapshot("lathe-1", "running", 1000);
      const mill = snapshot("mill-2", "idle", 2000);
      sink.write(output({ snapshots: [snapshot("lathe-1", "idle", 500), lathe, mill] }));
      await acknowledged(sink);

      const late = await probe([`${prefix}/+/state`]);
      const [latheState] = await late.waitFor(`${prefix}/lathe-1/state`);
      const [millState] = await late.waitFor(`${prefix}/mill-2/state`);
      expect(latheState).toMatchObject({ retain: true, qos: 1, payload: { v: 1, ...lathe } });
      expect(millState?.payload).toEqual({ v: 1, ...mill });
    });

    it("publishes every signal value of a batch and retains the last one", async () => {
      const prefix = newPrefix();
      const live = await probe([`${prefix}/lathe-1/signal/#`]);
      const sink = await startSink(prefix);
      sink.write(
        output({
          observations: [
            obs("lathe-1", "spindle.speed", 1000, 1, 1000, { unit: "rev/min" }),
            obs("lathe-1", "spindle.speed", 1200, 2, 1100, { unit: "rev/min" }),
            obs("lathe-1", "spindle.speed", 1500, 3, 1200, { unit: "rev/min", session: "p-7f3a" }),
            obs("lathe-1", "raw.a/b+c#d", "x", 4, 1300),
          ],
        }),
      );
      const speeds = await live.waitFor(`${prefix}/lathe-1/signal/spindle.speed`, 3);
      expect(speeds.map((m) => m.payload.value)).toEqual([1000, 1200, 1500]);
      expect(speeds[2]?.payload).toEqual({
        v: 1,
        value: 1500,
        unit: "rev/min",
        ts: 1200,
        rx: 1201,
        seq: 3,
        quality: "good",
        session: "p-7f3a",
      });
      // Signal ids are one topic level; a raw key's '/', '+', '#' become '_'.
      const [rawKey] = await live.waitFor(`${prefix}/lathe-1/signal/raw.a_b_c_d`);
      expect(rawKey?.payload).toMatchObject({ value: "x", signal: "raw.a/b+c#d" });

      const late = await probe([`${prefix}/lathe-1/signal/#`]);
      const [retained] = await late.waitFor(`${prefix}/lathe-1/signal/spindle.speed`);
      await late.barrier();
      expect(late.on(`${prefix}/lathe-1/signal/spindle.speed`)).toHaveLength(1);
      expect(retained).toMatchObject({ retain: true, payload: { value: 1500, seq: 3 } });
    });

    // The default configuration: every message through the durable outbox at QoS 1, written by the
    // sink in batches (qos1-publisher.ts) with its own packet ids and PUBACK tracking.
    it("through the outbox: delivers every message at QoS 1, in order, and forgets it only after PUBACK, across a cut connection", async () => {
      const prefix = newPrefix();
      const dir = mkdtempSync(join(tmpdir(), "mp-contract-outbox-"));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      const outbox = new DurableOutbox({
        path: dir,
        name: "mqtt",
        maxBytes: 1e8,
        whenFull: "pause",
        log: silent,
      });
      outbox.open();
      cleanups.push(async () => outbox.close());
      const live = await probe([`${prefix}/lathe-1/signal/#`]);
      const p = await proxy();
      const sink = await startSink(prefix, { url: `mqtt://127.0.0.1:${p.port}`, outbox });
      // 800 messages: below Mosquitto's default max_queued_messages (1,000) for the probe, which
      // would otherwise drop QoS 1 messages for a subscriber that falls behind a burst.
      const batches = 20;
      const perBatch = 40;
      let seq = 0;
      for (let b = 0; b < batches; b++) {
        const observations = Array.from({ length: perBatch }, (_, i) =>
          obs("lathe-1", `raw.v${i}`, ++seq, seq),
        );
        sink.write(output({ observations }));
        if (b === batches / 2) p.cutAll(); // some packets are in flight without PUBACK now
        if (b % 5 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await waitFor("an empty outbox", () => (outbox.depth() === 0 ? true : undefined), 15_000);
      expect(outbox.stats.delivered).toBe(batches * perBatch);
      // At least once: every seq arrived at QoS 1 (a resend may repeat some; the resync on
      // connect adds the latest value of each topic again at mqtt.signalQos).
      const expected = Array.from({ length: batches * perBatch }, (_, i) => i + 1);
      await waitFor(
        "every seq at QoS 1",
        () => {
          const got = new Set(live.messages.filter((m) => m.qos === 1).map((m) => m.payload.seq as number));
          return expected.every((n) => got.has(n)) ? true : undefined;
        },
        10_000,
      ).catch((err: Error) => {
        const got = new Set(live.messages.filter((m) => m.qos === 1).map((m) => m.payload.seq as number));
        const missing = expected.filter((n) => !got.has(n));
        throw new Error(
          `${err.message}: ${missing.length} seqs missing, from ${missing.slice(0, 10).join(", ")}`,
        );
      });
      // In order per topic: the first copy of each seq comes after the first copy of the one before.
      for (let i = 0; i < perBatch; i++) {
        const firsts = [
          ...new Set(
            live
              .on(`${prefix}/lathe-1/signal/raw.v${i}`)
              .filter((m) => m.qos === 1)
              .map((m) => m.payload.seq as number),
          ),
        ];
        expect(firsts).toEqual(expected.filter((n) => (n - 1) % perBatch === i));
      }
      expect(sink.stats.connects).toBeGreaterThanOrEqual(2);
    });

    it("publishes signals at QoS 1 when configured", async () => {
      const prefix = newPrefix();
      const live = await probe([`${prefix}/mill-2/signal/#`]);
      const sink = await startSink(prefix, { signalQos: 1 });
      sink.write(output({ observations: [obs("mill-2", "feed.override", 100, 1)] }));
      const [msg] = await live.waitFor(`${prefix}/mill-2/signal/feed.override`);
      expect(msg?.qos).toBe(1);
      await acknowledged(sink);
    });

    it("publishes events at QoS 1 and does not retain them", async () => {
      const prefix = newPrefix();
      const live = await probe([`${prefix}/+/event/#`]);
      const sink = await startSink(prefix);
      const event = cycleEnd("lathe-1", 10_000, 70_000, { session: "p-7f3a" });
      sink.write(output({ events: [event] }));
      const [msg] = await live.waitFor(`${prefix}/lathe-1/event/cycle.end`);
      expect(msg).toMatchObject({ qos: 1, retain: false });
      expect(msg?.payload).toEqual({ v: 1, ...event });
      await acknowledged(sink);

      const late = await probe([`${prefix}/+/event/#`]);
      await late.barrier();
      expect(late.on(`${prefix}/lathe-1/event/cycle.end`)).toEqual([]);
    });

    it("has the broker announce offline (Last Will) when the connection dies abruptly", async () => {
      const prefix = newPrefix();
      const statusTopic = `${prefix}/gateway/gw-1/status`;
      const live = await probe([statusTopic]);
      const cut = await proxy();
      await startSink(prefix, { url: `mqtt://127.0.0.1:${cut.port}` });
      await live.waitFor(statusTopic, 1);

      // Reset the TCP connection (no DISCONNECT packet) and keep the sink from coming back.
      cut.cutAll();
      await cut.close();
      const messages = await live.waitFor(statusTopic, 2);
      expect(messages.map((m) => m.payload.status)).toEqual(["online", "offline"]);

      const late = await probe([statusTopic]);
      const [retained] = await late.waitFor(statusTopic);
      expect(retained).toMatchObject({
        retain: true,
        payload: { v: 1, status: "offline", version: "9.9.9-test" },
      });
    });

    it("publishes offline, retained, on a clean stop", async () => {
      const prefix = newPrefix();
      const sink = await startSink(prefix);
      await sink.stop();
      const late = await probe([`${prefix}/gateway/gw-1/status`]);
      const [retained] = await late.waitFor(`${prefix}/gateway/gw-1/status`);
      expect(retained?.payload.status).toBe("offline");
    });

    it("reconnects after a broker restart, restores the retained picture and resumes publishing", async () => {
      const prefix = newPrefix();
      const sink = await startSink(prefix);
      const lathe = snapshot("lathe-1", "running", 1000);
      sink.write(output({ snapshots: [lathe], observations: [obs("lathe-1", "part.count", 41, 1)] }));
      await acknowledged(sink);

      await broker.restart();
      await waitFor("the sink to reconnect", () => sink.stats.connects >= 2 && sink.connected);
      const after = await probe([`${prefix}/#`]);
      // Republished by the sink after the reconnect, whether or not the broker kept them.
      await after.waitFor(`${prefix}/lathe-1/state`);
      await after.waitFor(`${prefix}/lathe-1/signal/part.count`);
      const [status] = await after.waitFor(`${prefix}/gateway/gw-1/status`);
      expect(status?.payload.status).toBe("online");

      sink.write(output({ observations: [obs("lathe-1", "part.count", 42, 2)] }));
      const counts = await after.waitFor(`${prefix}/lathe-1/signal/part.count`, 2);
      expect(counts.at(-1)?.payload).toMatchObject({ value: 42, seq: 2 });
    });
  });
}
