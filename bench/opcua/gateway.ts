// Maskinport's OPC UA → MQTT path as a stand-alone process, for the peer
// benchmark harness (../shared/peers/nodered/run.sh, see README.md here):
// OpcuaAdapter (explicit node map of the bench server's V0000… Doubles) →
// Pipeline (dedupe, state machine, sequence) → MqttSink (signal topics,
// retained, QoS 0) and, with --store, the embedded time-series store.
//
// env (set by run.sh): OPCUA_URL MQTT_URL BENCH_V SAMPLING_MS PUBLISH_MS
//   node bench/opcua/gateway.ts [--site NAME] [--store FILE] [--queue N] [--chunk N] [--loop-stats]
// Topics: maskinport/<site>/bench/signal/raw.v0000 …, payload {"v":1,"value":<Double>,…}.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { connectAsync } from "mqtt";
import { pino } from "pino";
import { OpcuaAdapter } from "../../src/adapters/opcua/adapter.ts";
import { opcuaMonitorSchema } from "../../src/adapters/opcua/config.ts";
import type { PipelineOutput, Sink } from "../../src/core/contracts.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { Topics } from "../../src/sinks/mqtt/topics.ts";
import { EmbeddedTimeseries } from "../../src/sinks/timeseries/embedded-timeseries.ts";

const { values } = parseArgs({
  options: {
    site: { type: "string" },
    store: { type: "string" },
    queue: { type: "string" },
    chunk: { type: "string" },
    pki: { type: "string" },
    // Event-loop delay, sampled every 10 ms: a diagnosis, not part of the measured path (it
    // costs ≈ 6 ms of CPU per second, 6 µs per message at 1k changes/s).
    "loop-stats": { type: "boolean" },
  },
});
const env = process.env;
const V = Number(env.BENCH_V ?? 500);
const MACHINE = "bench";
const site = values.site ?? "bench";
const prefix = `maskinport/${site}`;
const log = pino({ level: env.LOG_LEVEL ?? "warn" });

const nodes = Object.fromEntries(
  Array.from({ length: V }, (_, i) => {
    const name = `V${String(i).padStart(4, "0")}`;
    return [`raw.${name.toLowerCase()}`, `ns=1;s=${name}`];
  }),
);
const config = opcuaMonitorSchema.parse({
  type: "opcua",
  endpoint: env.OPCUA_URL ?? "opc.tcp://127.0.0.1:14841",
  securityMode: "None",
  pkiDir: values.pki ?? `${env.WORK ?? "/tmp"}/maskinport-bench-pki`,
  nodes,
  samplingIntervalMs: Number(env.SAMPLING_MS ?? 50),
  publishingIntervalMs: Number(env.PUBLISH_MS ?? 50),
  queueSize: Number(values.queue ?? 10),
  chunkSize: Number(values.chunk ?? 1000),
});

const sinks: Sink[] = [
  new MqttSink({
    url: env.MQTT_URL ?? "mqtt://127.0.0.1:18883",
    prefix,
    gatewayId: `bench-${process.pid}`,
    signalQos: 0,
    log,
  }),
];
const store = values.store
  ? new EmbeddedTimeseries({ path: values.store, retentionDays: 0, log })
  : undefined;
if (store) sinks.push(store);
for (const s of sinks) await s.start();

const pipeline = new Pipeline({ machines: [MACHINE] });
// Where the event loop's time goes (printed at stop): a blocked loop delays every message behind it.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
if (values["loop-stats"]) loopDelay.enable();
const spentMs: Record<string, number> = { pipeline: 0, ...Object.fromEntries(sinks.map((s) => [s.name, 0])) };
const write = (out: PipelineOutput) => {
  for (const s of sinks) {
    const t0 = performance.now();
    s.write(out);
    spentMs[s.name]! += performance.now() - t0;
  }
};
const process1 = (readings: Parameters<Pipeline["process"]>[0]) => {
  const t0 = performance.now();
  const out = pipeline.process(readings);
  spentMs.pipeline! += performance.now() - t0;
  return out;
};
const adapter = new OpcuaAdapter({ machine: MACHINE, config });
await adapter.start({ log, emit: (readings) => write(process1(readings)) });
const ticker = setInterval(() => write(pipeline.tick()), 250);
console.log(
  `maskinport bench gateway: ${V} items from ${config.endpoint} → ${prefix}/${MACHINE}/signal/… ` +
    `(sampling ${config.samplingIntervalMs} ms, publishing ${config.publishingIntervalMs} ms, queue ${config.queueSize}, ` +
    `store ${values.store ?? "off"}), pid ${process.pid}`,
);

/** The signal topics are retained by contract: remove them again so the next run's subscriber starts clean. */
async function clearRetained(): Promise<void> {
  const topics = new Topics(prefix);
  const client = await connectAsync(env.MQTT_URL ?? "mqtt://127.0.0.1:18883", {
    clientId: `bench-clear-${process.pid}`,
  });
  const names = [
    ...Object.keys(nodes).map((s) => topics.signal(MACHINE, s)),
    topics.state(MACHINE),
    topics.gatewayStatus(`bench-${process.pid}`),
  ];
  await Promise.all(names.map((t) => client.publishAsync(t, "", { retain: true, qos: 0 })));
  await client.endAsync();
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const hardExit = setTimeout(() => process.exit(0), 6000);
  hardExit.unref();
  clearInterval(ticker);
  await adapter.stop();
  const t0 = performance.now();
  for (const s of sinks) await s.stop();
  const ms = (ns: number) => (ns / 1e6).toFixed(0);
  console.log(
    `maskinport bench gateway stopping: ${adapter.stats.readings} readings; ` +
      (values["loop-stats"]
        ? `event-loop delay p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms; `
        : "") +
      `time in ${Object.entries(spentMs)
        .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
        .join(", ")}; sinks' stop ${(performance.now() - t0).toFixed(0)} ms` +
      (store ? `; store ${store.stats.rows} rows in ${store.stats.flushes} commits` : ""),
  );
  await clearRetained().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
