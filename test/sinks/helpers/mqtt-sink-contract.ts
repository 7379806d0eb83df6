// The MQTT contract (DESIGN.md) checked end to end through a real broker.
// Every broker the sink must work with runs this same suite.
import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MqttSink, type MqttSinkOptions } from "../../../src/sinks/mqtt/mqtt-sink.ts";
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
