// MqttSink delivering through the durable outbox, against a real Mosquitto:
// nothing is lost while the broker is down or the gateway restarts, entries
// leave the outbox only after PUBACK, and the retained picture never goes back
// in time while a backlog drains.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MqttSink } from "../../../src/sinks/mqtt/mqtt-sink.ts";
import { DurableOutbox } from "../../../src/sinks/outbox/durable-outbox.ts";
import {
  decodeMessages,
  encodeMessages,
  type QueuedMessage,
} from "../../../src/sinks/outbox/publish-queue.ts";
import { type OutageBroker, startOutageBroker } from "../../faults/support/mosquitto-outage.ts";
import { freePort, waitFor } from "../../support/ports.ts";
import { obs, output } from "../helpers/fixtures.ts";

const log = pino({ level: "silent" });
const root = mkdtempSync(join(tmpdir(), "mp-mqtt-outbox-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function openOutbox(name: string): DurableOutbox {
  const ob = new DurableOutbox({
    path: join(root, name),
    name: "mqtt",
    maxBytes: 1e8,
    whenFull: "pause",
    log,
  });
  ob.open();
  return ob;
}

/** A persistent-session subscriber: it gets what was queued for it while it was away. */
async function seqSubscriber(url: string, filter: string, clientId: string) {
  const client = await connectAsync(url, { clientId, clean: false, reconnectPeriod: 200 });
  const seqs: number[] = [];
  const retained = new Map<string, number>();
  client.on("message", (topic, payload, packet) => {
    const body = JSON.parse(payload.toString()) as { seq?: number };
    if (typeof body.seq !== "number") return;
    if (packet.retain) retained.set(topic, body.seq);
    else seqs.push(body.seq);
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { seqs, retained, end: () => client.endAsync(true) };
}

describe("message batches in the outbox", () => {
  it("round-trip any topic and payload characters", () => {
    const messages: QueuedMessage[] = [
      { topic: "a/b:c/signal/raw.x:1", payload: '{"v":1,"value":"12:30\\n"}', qos: 1, retain: true },
      { topic: "ø/æ/å/😀", payload: "line\nbreak 3:abc", qos: 0, retain: false },
      { topic: "t", payload: "", qos: 1, retain: false },
    ];
    expect(decodeMessages(encodeMessages(messages))).toEqual(messages);
  });

  it("refuse a damaged batch instead of publishing garbage", () => {
    expect(() => decodeMessages("1x:abc")).toThrow(/damaged message batch/);
    expect(() => decodeMessages("9" + "1:t1:p")).toThrow(/damaged/);
  });
});

/**
 * White box (a cost, not a behaviour a client sees): how many PUBACKs mqtt.js itself parsed. The
 * sink's should never reach it; mqtt.js's own publishes (the "online" status) do.
 */
function countPubacksSeenByMqttJs(sink: MqttSink) {
  const client = (sink as unknown as { client: MqttClient }).client;
  const seen = { count: 0 };
  client.on("packetreceive", (p) => {
    if (p.cmd === "puback") seen.count++;
  });
  return seen;
}

describe("MqttSink with a durable outbox (Mosquitto)", () => {
  let broker: OutageBroker;
  beforeAll(async () => {
    broker = await startOutageBroker(["max_queued_messages 100000"]);
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  function sink(prefix: string, outbox: DurableOutbox, url = broker.url) {
    return new MqttSink({
      url,
      prefix,
      gatewayId: "gw-ob",
      clientId: `ob-${prefix.replaceAll("/", "-")}`,
      signalQos: 0,
      reconnectPeriodMs: 100,
      startTimeoutMs: 500,
      stopTimeoutMs: 3000,
      outbox,
      log,
    });
  }

  it("delivers every observation at QoS 1 and empties the outbox once acknowledged", async () => {
    const prefix = `ob/live/${process.pid}`;
    const sub = await seqSubscriber(broker.url, `${prefix}/+/signal/#`, `sub-live-${process.pid}`);
    const outbox = openOutbox("live");
    const s = sink(prefix, outbox);
    await s.start();
    for (let i = 1; i <= 500; i++) s.write(output({ observations: [obs("lathe-1", "spindle.speed", i, i)] }));
    await waitFor("500 deliveries", () => (sub.seqs.length >= 500 ? true : undefined));
    expect(sub.seqs).toEqual([...Array(500).keys()].map((i) => i + 1));
    await waitFor("an empty outbox", () => (outbox.depth() === 0 ? true : undefined));
    expect(outbox.stats.delivered).toBe(500);
    await s.stop();
    outbox.close();
    await sub.end();
  });

  it("keeps everything while the broker is down and delivers it in order afterwards; retained stays the newest", async () => {
    const prefix = `ob/outage/${process.pid}`;
    const sub = await seqSubscriber(broker.url, `${prefix}/+/signal/#`, `sub-outage-${process.pid}`);
    const outbox = openOutbox("outage");
    const s = sink(prefix, outbox);
    await s.start();
    const acksSeenByMqttJs = countPubacksSeenByMqttJs(s);
    let seq = 0;
    const burst = (n: number) => {
      for (let i = 0; i < n; i++) {
        seq++;
        s.write(output({ observations: [obs("mill-1", "spindle.load", seq % 100, seq)] }));
      }
    };
    burst(200);
    await waitFor("first deliveries", () => (sub.seqs.length >= 200 ? true : undefined));
    await broker.stop(); // graceful: sessions and queues are saved
    burst(1000);
    expect(outbox.depth()).toBeGreaterThanOrEqual(1000);
    await broker.start();
    burst(300);
    await waitFor(
      "every seq after the outage",
      () => (new Set(sub.seqs).size >= 1500 ? true : undefined),
      30_000,
    );
    const missing = [...Array(1500).keys()].map((i) => i + 1).filter((n) => !sub.seqs.includes(n));
    expect(missing).toEqual([]);
    await waitFor("an empty outbox", () => (outbox.depth() === 0 ? true : undefined));
    // The sink's PUBACKs are taken off the socket before mqtt.js parses them, on the new connection
    // too: of 1,500 mqtt.js sees at most those of its own publishes (the "online" status of each connect).
    expect(acksSeenByMqttJs.count).toBeLessThanOrEqual(2);

    // A late subscriber reads the retained value: the newest one, not one from the backlog.
    const late = await connectAsync(broker.url, { reconnectPeriod: 0 });
    const retained = new Promise<number>((resolve) =>
      late.on("message", (_t, p) => resolve((JSON.parse(p.toString()) as { seq: number }).seq)),
    );
    await late.subscribeAsync(`${prefix}/mill-1/signal/spindle.load`, { qos: 1 });
    expect(await retained).toBe(1500);
    await late.endAsync();
    await s.stop();
    outbox.close();
    await sub.end();
  });

  it("a restarted gateway delivers what an earlier run could not", async () => {
    const prefix = `ob/restart/${process.pid}`;
    const nobody = `mqtt://127.0.0.1:${await freePort()}`; // no broker here
    const first = openOutbox("restart");
    const offline = sink(prefix, first, nobody);
    await offline.start(); // carries on without a broker
    for (let i = 1; i <= 300; i++)
      offline.write(output({ observations: [obs("lathe-2", "part.count", i, i)] }));
    expect(offline.queueDepth()).toBe(300);
    await offline.stop();
    first.close();

    const sub = await seqSubscriber(broker.url, `${prefix}/#`, `sub-restart-${process.pid}`);
    const second = openOutbox("restart");
    expect(second.depth()).toBe(300);
    const online = sink(prefix, second);
    await online.start();
    await waitFor("the earlier run's observations", () => (sub.seqs.length >= 300 ? true : undefined));
    expect(sub.seqs).toEqual([...Array(300).keys()].map((i) => i + 1));
    await online.stop();
    second.close();
    await sub.end();
  });
});
