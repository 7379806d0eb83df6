// Fault injection: the broker is away long enough for the MQTT outbox to fill
// up. The configured policy happens (drop-oldest, or pause with backpressure),
// it is logged, and the Prometheus metrics say so. When the broker returns,
// what the outbox kept is delivered.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import type { PipelineOutput } from "../../src/core/contracts.ts";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { DurableOutbox, type WhenFull } from "../../src/sinks/outbox/durable-outbox.ts";
import { registerOutboxMetrics } from "../../src/sinks/outbox/outbox-metrics.ts";
import { waitFor } from "../support/ports.ts";
import { startOutageBroker } from "./support/mosquitto-outage.ts";

const dir = mkdtempSync(join(tmpdir(), "mp-fault-full-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type LogLine = { level: number; msg: string };

function batch(firstSeq: number, n: number): PipelineOutput {
  const now = Date.now();
  return {
    observations: Array.from({ length: n }, (_, i) => ({
      machine: "lathe-1",
      signal: "spindle.speed" as const,
      value: firstSeq + i,
      ts: now,
      rx: now,
      quality: "good" as const,
      source: { protocol: "sim" as const, ref: "load" },
      seq: firstSeq + i,
    })),
    events: [],
    snapshots: [],
  };
}

function metric(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{sink="mqtt"}`));
  return Number(line?.split(" ").pop() ?? Number.NaN);
}

async function fillWhileBrokerAway(whenFull: WhenFull) {
  const lines: LogLine[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
  const broker = await startOutageBroker(["max_queued_messages 1000000"]);
  const prefix = `fault/full/${whenFull}/${process.pid}`;
  const subscriber = await connectAsync(broker.url, {
    clientId: `full-sub-${whenFull}-${process.pid}`,
    clean: false,
  });
  const seen: number[] = [];
  subscriber.on("message", (_t, p) => seen.push((JSON.parse(p.toString()) as { seq: number }).seq));
  await subscriber.subscribeAsync(`${prefix}/+/signal/#`, { qos: 1 });
  await new Promise((r) => setTimeout(r, 1200)); // let Mosquitto save the session
  await broker.stop();

  const outbox = new DurableOutbox({
    path: join(dir, whenFull),
    name: "mqtt",
    maxBytes: 2_000_000,
    segmentBytes: 100_000,
    headroomBytes: 200_000,
    whenFull,
    log,
  });
  outbox.open();
  const backpressure: boolean[] = [];
  outbox.onBackpressure((paused) => backpressure.push(paused));
  const registry = new Registry();
  registerOutboxMetrics(registry, () => [outbox]);
  const sink = new MqttSink({
    url: broker.url,
    prefix,
    gatewayId: "gw-full",
    clientId: `full-gw-${whenFull}-${process.pid}`,
    signalQos: 0,
    reconnectPeriodMs: 200,
    startTimeoutMs: 300,
    outbox,
    log,
  });
  await sink.start(); // no broker: carries on
  // 40,000 observations (about 6 MB of messages) into a 2 MB outbox.
  const total = 40_000;
  for (let seq = 1; seq <= total; seq += 100) sink.write(batch(seq, 100));
  const metricsWhileFull = await registry.metrics();
  return { lines, broker, subscriber, seen, outbox, sink, registry, backpressure, metricsWhileFull, total };
}

describe("fault: outbox full while the broker is away", () => {
  it("drop-oldest: the oldest data goes, logged and counted; the newest is delivered", {
    timeout: 60_000,
  }, async () => {
    const t = await fillWhileBrokerAway("drop-oldest");
    try {
      expect(t.outbox.stats.bytes).toBeLessThanOrEqual(2_000_000);
      const dropped = metric(t.metricsWhileFull, "maskinport_outbox_dropped_items_total");
      expect(dropped).toBeGreaterThan(20_000);
      expect(metric(t.metricsWhileFull, "maskinport_outbox_items")).toBe(t.total - dropped);
      expect(metric(t.metricsWhileFull, "maskinport_outbox_appended_items_total")).toBe(t.total);
      expect(metric(t.metricsWhileFull, "maskinport_outbox_full_episodes")).toBe(1);
      expect(t.lines.filter((l) => l.msg.includes("dropped the oldest"))).toHaveLength(1);

      await t.broker.start();
      await waitFor("the outbox to drain", () => (t.outbox.depth() === 0 ? true : undefined), 30_000);
      await waitFor(
        "the last seq at the subscriber",
        () => (t.seen.includes(t.total) ? true : undefined),
        10_000,
      );
      // What arrives is the newest data, contiguous up to the last seq.
      const first = Math.min(...t.seen);
      expect(first).toBe(dropped + 1);
      expect(new Set(t.seen).size).toBe(t.total - dropped);
    } finally {
      await t.sink.stop();
      t.outbox.close();
      await t.subscriber.endAsync(true);
      await t.broker.dispose();
    }
  });

  it("pause: backpressure is signalled, data past the headroom is refused and counted; resumes after delivery", {
    timeout: 60_000,
  }, async () => {
    const t = await fillWhileBrokerAway("pause");
    try {
      expect(t.backpressure).toEqual([true]);
      expect(metric(t.metricsWhileFull, "maskinport_outbox_paused")).toBe(1);
      const rejected = metric(t.metricsWhileFull, "maskinport_outbox_rejected_items_total");
      const kept = metric(t.metricsWhileFull, "maskinport_outbox_items");
      expect(rejected).toBeGreaterThan(20_000);
      expect(kept + rejected).toBe(t.total);
      expect(t.sink.stats.dropped).toBe(rejected); // the sink counts what its outbox refused
      expect(t.lines.some((l) => l.msg.includes("pausing intake"))).toBe(true);
      expect(t.lines.filter((l) => l.msg.includes("refusing new data"))).toHaveLength(1);

      await t.broker.start();
      await waitFor("the outbox to drain", () => (t.outbox.depth() === 0 ? true : undefined), 30_000);
      await waitFor(
        "everything kept at the subscriber",
        () => (t.seen.length >= kept ? true : undefined),
        10_000,
      );
      // The oldest data was kept, in order: seq 1…kept. (The newest value also arrives once:
      // the retained topics are republished on connect, refused or not.)
      const delivered = [...new Set(t.seen)].filter((s) => s !== t.total).sort((a, b) => a - b);
      expect(delivered).toEqual(Array.from({ length: kept }, (_, i) => i + 1));
      expect(t.backpressure).toEqual([true, false]);
      expect(metric(await t.registry.metrics(), "maskinport_outbox_paused")).toBe(0);
    } finally {
      await t.sink.stop();
      t.outbox.close();
      await t.subscriber.endAsync(true);
      await t.broker.dispose();
    }
  });
});
