// Latency and throughput under faults: 5,000 observations/s through MqttSink
// and its durable outbox into a real Mosquitto; the broker goes down for
// --outage seconds; a persistent-session subscriber measures end-to-end
// latency (arrival − rx) before the outage and how fast the backlog drains.
// Then the same for InfluxDB: influxd down for --outage seconds, drain rate.
//
//   node_modules/.bin/node bench/outbox/fault-latency.ts [--rate 5000] [--outage 10]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connectAsync } from "mqtt";
import { pino } from "pino";
import { InfluxSink } from "../../src/sinks/influx/influx-sink.ts";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { DurableOutbox } from "../../src/sinks/outbox/durable-outbox.ts";
import { missingSeqs, sleep, startLoad } from "../../test/faults/support/load.ts";
import { startOutageBroker } from "../../test/faults/support/mosquitto-outage.ts";
import { influxCount, startInfluxd } from "../../test/support/influxd.ts";
import { distribution } from "../support/stats.ts";

const { values } = parseArgs({
  options: { rate: { type: "string", default: "5000" }, outage: { type: "string", default: "10" } },
});
const RATE = Number(values.rate);
const OUTAGE_S = Number(values.outage);
const log = pino({ level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "mp-bench-fault-"));

async function mqttRun(): Promise<void> {
  const broker = await startOutageBroker(["max_queued_messages 10000000"]);
  const prefix = "bench/fault";
  const sub = await connectAsync(broker.url, {
    clientId: "bench-fault-sub",
    clean: false,
    reconnectPeriod: 200,
  });
  const steady: number[] = [];
  const seen: number[] = [];
  let phase: "steady" | "other" = "steady";
  sub.on("message", (_t, p) => {
    const o = JSON.parse(p.toString()) as { seq: number; rx: number };
    const now = Date.now();
    seen.push(o.seq);
    if (phase === "steady") steady.push(now - o.rx);
  });
  await sub.subscribeAsync(`${prefix}/+/signal/#`, { qos: 1 });
  await sleep(1200);
  const outbox = new DurableOutbox({
    path: join(dir, "mqtt"),
    name: "mqtt",
    maxBytes: 4e9,
    whenFull: "pause",
    log,
  });
  outbox.open();
  const sink = new MqttSink({
    url: broker.url,
    prefix,
    gatewayId: "bench",
    signalQos: 0,
    reconnectPeriodMs: 200,
    outbox,
    log,
  });
  await sink.start();
  const load = startLoad((out) => sink.write(out), { rate: RATE, machines: 10 });
  await sleep(5000);
  phase = "other";
  await broker.stop();
  await sleep(OUTAGE_S * 1000);
  const backlog = outbox.depth();
  const back = Date.now();
  await broker.start();
  while (outbox.depth() > RATE / 10) await sleep(5); // drained down to ~100 ms of live data
  const drainMs = Date.now() - back;
  await sleep(2000);
  load.stop();
  while (outbox.depth() > 0) await sleep(10);
  await sleep(500);
  const lat = distribution(steady);
  console.log("MQTT (Mosquitto, QoS 1 through the outbox)");
  console.log(`  steady state, ${RATE}/s: latency p50 ${lat.p50} ms, p99 ${lat.p99} ms, max ${lat.max} ms`);
  console.log(`  broker down ${OUTAGE_S} s: backlog ${backlog} messages on disk`);
  console.log(
    `  after restart: backlog delivered in ${(drainMs / 1000).toFixed(1)} s (${Math.round(backlog / (drainMs / 1000))} msg/s while new data kept flowing)`,
  );
  console.log(`  missing seqs at the subscriber: ${missingSeqs(seen, load.sent()).length} of ${load.sent()}`);
  await sink.stop();
  outbox.close();
  await sub.endAsync(true);
  await broker.dispose();
}

async function influxRun(): Promise<void> {
  const influxd = await startInfluxd({ own: true });
  const outbox = new DurableOutbox({
    path: join(dir, "influx"),
    name: "influx",
    maxBytes: 4e9,
    whenFull: "pause",
    log,
  });
  outbox.open();
  const sink = new InfluxSink({
    url: influxd.url,
    database: "bench",
    precision: "n",
    createDatabase: true,
    backoff: { initialMs: 250, maxMs: 2000 },
    outbox,
    log,
  });
  await sink.start();
  const load = startLoad((out) => sink.write(out), { rate: RATE, machines: 10 });
  await sleep(3000);
  await influxd.pause();
  await sleep(OUTAGE_S * 1000);
  const backlog = outbox.depth();
  const back = Date.now();
  await influxd.restart();
  while (outbox.depth() > RATE) await sleep(5);
  const drainMs = Date.now() - back;
  load.stop();
  while (outbox.depth() > 0) await sleep(10);
  const stored = await influxCount(influxd.url, "bench", "SELECT count(seq) FROM signal");
  console.log("InfluxDB 1.x (InfluxSink through the outbox)");
  console.log(`  influxd down ${OUTAGE_S} s: backlog ${backlog} points on disk`);
  console.log(
    `  after restart (incl. influxd start-up): backlog written in ${(drainMs / 1000).toFixed(1)} s (${Math.round(backlog / (drainMs / 1000))} points/s)`,
  );
  console.log(`  points stored ${stored} of ${load.sent()} written`);
  await sink.stop();
  outbox.close();
  await influxd.stop();
}

try {
  await mqttRun();
  await influxRun();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
