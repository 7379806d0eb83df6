// Quick throughput probe for the sinks (not a test, not the benchmark):
//   node_modules/.bin/node test/sinks/perf-probe.ts [observations]
// Prints obs/s through MqttSink → embedded broker (QoS 0) and → Mosquitto
// (QoS 0 and 1), delivered to a subscriber in the same process, and rows/s
// into EmbeddedTimeseries. The real side-by-side benchmark lives in bench/.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as yieldToIo } from "node:timers/promises";
import { connectAsync } from "mqtt";
import { pino } from "pino";
import type { PipelineOutput } from "../../src/core/contracts.ts";
import type { Observation } from "../../src/core/observation.ts";
import type { SignalId } from "../../src/core/signals.ts";
import { startEmbeddedBroker } from "../../src/sinks/mqtt/embedded-broker.ts";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { EmbeddedTimeseries } from "../../src/sinks/timeseries/embedded-timeseries.ts";
import { startMosquitto } from "../support/mosquitto.ts";

const TOTAL = Number(process.argv[2] ?? 200_000);
const BATCH = 500; // observations per pipeline output, like a busy SHDR burst
const MACHINES = ["lathe-1", "lathe-2", "mill-1", "mill-2"];
const SIGNALS: SignalId[] = [
  "spindle.speed",
  "spindle.load",
  "feed.rate",
  "axis.x.position",
  "axis.y.position",
  "axis.z.position",
  "program.line",
  "spindle.override",
  "feed.override",
  "execution",
];
const log = pino({ level: "silent" });
const DELIVERY_TIMEOUT_MS = 120_000;

/** This process's CPU time per item since `start`: steadier than wall time on a shared machine. */
function cpuPerItem(start: NodeJS.CpuUsage): string {
  const used = process.cpuUsage(start);
  return `${((used.user + used.system) / TOTAL).toFixed(1)} µs CPU/msg`;
}

/** Wait for `done`, or give up after DELIVERY_TIMEOUT_MS saying how much arrived. */
async function delivered(done: Promise<void>, count: () => number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`only ${count()} of ${TOTAL} messages arrived within ${DELIVERY_TIMEOUT_MS} ms`)),
      DELIVERY_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function batches(total: number): PipelineOutput[] {
  const out: PipelineOutput[] = [];
  const t0 = Date.now();
  for (let start = 0; start < total; start += BATCH) {
    const observations: Observation[] = [];
    for (let i = start; i < Math.min(start + BATCH, total); i++) {
      const signal = SIGNALS[i % SIGNALS.length]!;
      observations.push({
        machine: MACHINES[Math.floor(i / SIGNALS.length) % MACHINES.length]!,
        signal,
        value: signal === "execution" ? "ACTIVE" : (i % 10_000) / 10,
        unit: signal === "execution" ? undefined : "mm",
        ts: t0 + i,
        rx: t0 + i,
        quality: "good",
        source: { protocol: "sim", ref: signal },
        seq: i + 1,
      });
    }
    out.push({ observations, events: [], snapshots: [] });
  }
  return out;
}

async function mqttProbe(label: string, url: string, qos: 0 | 1, baseline: number): Promise<void> {
  const prefix = `probe-${Date.now()}`;
  const subscriber = await connectAsync(url, { reconnectPeriod: 0 });
  let received = 0;
  let allReceived: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allReceived = resolve;
  });
  subscriber.on("message", () => {
    if (++received === TOTAL) allReceived();
  });
  await subscriber.subscribeAsync(`${prefix}/+/signal/#`, { qos });
  (subscriber.stream as unknown as { setNoDelay(v: boolean): void }).setNoDelay(true);

  const sink = new MqttSink({ url, prefix, gatewayId: "probe", signalQos: qos, log });
  await sink.start();
  const work = batches(TOTAL);
  let writeMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const out of work) {
    const w0 = performance.now();
    sink.write(out);
    writeMs += performance.now() - w0;
    await yieldToIo(); // let sockets move, as the gateway's event loop would
  }
  await delivered(done, () => received);
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `${label.padEnd(34)} ${Math.round(TOTAL / seconds)
      .toLocaleString("en")
      .padStart(9)} obs/s delivered` +
      `   ${cpuPerItem(cpu0)}   ratio to raw ${(TOTAL / seconds / baseline).toFixed(2)}` +
      `   write() ${(((writeMs / TOTAL) * 1e6) | 0).toLocaleString("en")} ns/obs`,
  );
  await sink.stop();
  await subscriber.endAsync();
}

/** Baseline: mqtt.js publishing ready-made messages, paced the same way. */
async function rawProbe(label: string, url: string, qos: 0 | 1): Promise<number> {
  const prefix = `raw-${Date.now()}`;
  const subscriber = await connectAsync(url, { reconnectPeriod: 0 });
  let received = 0;
  let allReceived: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allReceived = resolve;
  });
  subscriber.on("message", () => {
    if (++received === TOTAL) allReceived();
  });
  await subscriber.subscribeAsync(`${prefix}/#`, { qos });
  const publisher = await connectAsync(url, { reconnectPeriod: 0, log: () => {} });
  (publisher.stream as unknown as { setNoDelay(v: boolean): void }).setNoDelay(true);
  const topics = SIGNALS.map((s) => `${prefix}/lathe-1/signal/${s}`);
  const payload =
    '{"v":1,"value":123.4,"unit":"mm","ts":1700000000000,"rx":1700000000000,"seq":1,"quality":"good"}';
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let start = 0; start < TOTAL; start += BATCH) {
    for (let i = start; i < Math.min(start + BATCH, TOTAL); i++) {
      publisher.publish(topics[i % topics.length]!, payload, { qos, retain: true });
    }
    await yieldToIo();
  }
  await delivered(done, () => received);
  const rate = TOTAL / ((performance.now() - t0) / 1000);
  console.log(
    `${label.padEnd(34)} ${Math.round(rate).toLocaleString("en").padStart(9)} msg/s delivered` +
      `   ${cpuPerItem(cpu0)}   (raw mqtt.js baseline)`,
  );
  await publisher.endAsync();
  await subscriber.endAsync();
  return rate;
}

async function timeseriesProbe(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "maskinport-probe-"));
  const store = new EmbeddedTimeseries({
    path: join(dir, "ts.db"),
    retentionDays: 0,
    log,
    flushIntervalMs: 200,
  });
  await store.start();
  const work = batches(TOTAL);
  const t0 = performance.now();
  for (const out of work) {
    store.write(out);
    await yieldToIo();
  }
  store.flush();
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `${"EmbeddedTimeseries (file, WAL)".padEnd(34)} ${Math.round(TOTAL / seconds)
      .toLocaleString("en")
      .padStart(9)} rows/s committed`,
  );
  const q0 = performance.now();
  const from = work[0]?.observations[0]?.ts ?? 0;
  const points = store.range({
    machine: "lathe-1",
    signal: "spindle.speed",
    from,
    to: from + TOTAL,
    maxPoints: 500,
  });
  console.log(
    `${"  range() over all rows".padEnd(34)} ${(performance.now() - q0).toFixed(1).padStart(9)} ms (${points.length} points)`,
  );
  await store.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`${TOTAL.toLocaleString("en")} observations, batches of ${BATCH}, Node ${process.versions.node}`);
const embedded = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log });
const embeddedUrl = `mqtt://127.0.0.1:${embedded.port}`;
for (const qos of [0, 1] as const) {
  const baseline = await rawProbe(`mqtt.js → embedded broker QoS ${qos}`, embeddedUrl, qos);
  await mqttProbe(`MqttSink → embedded broker QoS ${qos}`, embeddedUrl, qos, baseline);
}
await embedded.close();
// Mosquitto drops QoS 1 messages beyond 1,000 queued for a slow subscriber
// (max_queued_messages); the in-process subscriber here is slow on purpose.
const mosquitto = await startMosquitto({ extraConfig: ["max_queued_messages 0", "max_inflight_messages 0"] });
for (const qos of [0, 1] as const) {
  const baseline = await rawProbe(`mqtt.js → Mosquitto QoS ${qos}`, mosquitto.url, qos);
  await mqttProbe(`MqttSink → Mosquitto QoS ${qos}`, mosquitto.url, qos, baseline);
}
await mosquitto.stop();
await timeseriesProbe();
