// Bench: end-to-end latency agent → MQTT. The simulated agent stamps each
// observation when the machine model changes; the adapter streams /sample,
// the pipeline runs, the MQTT sink publishes to the embedded broker and a
// subscriber measures now − ts for every signal message it receives.
//
//   node_modules/.bin/node bench/mtconnect/latency.ts [--seconds 10] [--machines 4] [--interval 0]
//
// `--interval` is the /sample interval the adapter asks for (agents batch
// changes for that long: it adds up to that much latency by design).
import { parseArgs } from "node:util";
import { connect } from "mqtt";
import { pino } from "pino";
import { startMtconnectSimulator } from "../../simulators/mtconnect/simulator.ts";
import { MtconnectAdapter } from "../../src/adapters/mtconnect/adapter.ts";
import { mtconnectMonitorSchema } from "../../src/adapters/mtconnect/config.ts";
import { groupMtconnectMonitors } from "../../src/adapters/mtconnect/group.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { startTestBroker } from "../../test/support/embedded-broker.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string" }, machines: { type: "string" }, interval: { type: "string" } },
});
const SECONDS = Number(values.seconds ?? 10);
const MACHINES = Number(values.machines ?? 4);
const INTERVAL = Number(values.interval ?? 0);
const log = pino({ level: "silent" });

const agent = await startMtconnectSimulator({ machines: MACHINES, timeScale: 10, tickMs: 10, seed: 7 });
// Keep every machine busy so that samples flow all the time.
agent.models.forEach((m, i) => {
  m.runProgram(m.programNames[i % m.programNames.length]!);
});
const broker = await startTestBroker({ log, prefix: "bench/site" });
const sink = new MqttSink({
  // Only the gateway may publish on the embedded broker.
  url: broker.gatewayUrl,
  prefix: "bench/site",
  gatewayId: "bench",
  signalQos: 0,
  log,
});
await sink.start();
const pipeline = new Pipeline({ machines: agent.devices.map((d) => d.name) });

const latencies: number[] = [];
let measuring = false;
const subscriber = connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: "bench-sub" });
subscriber.on("message", (_topic, payload) => {
  if (!measuring) return;
  const ts = (JSON.parse(payload.toString()) as { ts: number }).ts;
  latencies.push(Date.now() - ts);
});
await new Promise<void>((resolve, reject) => {
  subscriber.once("connect", () => {
    subscriber.subscribe("bench/site/+/signal/#", { qos: 0 }, (err) => (err ? reject(err) : resolve()));
  });
});

const monitor = mtconnectMonitorSchema.parse({
  type: "mtconnect",
  url: agent.url,
  intervalMs: INTERVAL,
  heartbeatMs: 1000,
});
const [options] = groupMtconnectMonitors([{ id: "x", monitor }]);
const adapter = new MtconnectAdapter({
  ...options!,
  machines: agent.devices.map((d) => ({ id: d.name, device: d.name })),
});
await adapter.start({ emit: (rs) => sink.write(pipeline.process(rs)), log });

await new Promise((r) => setTimeout(r, 1000)); // connect, /current, first parts
measuring = true;
await new Promise((r) => setTimeout(r, SECONDS * 1000));
measuring = false;

await adapter.stop();
await sink.stop();
subscriber.end(true);
await broker.close();
await agent.close();

latencies.sort((a, b) => a - b);
const q = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
console.log(
  `MTConnect agent → adapter → pipeline → MQTT (embedded broker), ${MACHINES} machines, /sample interval ${INTERVAL} ms, ${SECONDS} s`,
);
console.log(
  `  ${latencies.length.toLocaleString("en")} signal messages (${Math.round(latencies.length / SECONDS).toLocaleString("en")}/s): ` +
    `p50 ${q(50)} ms, p95 ${q(95)} ms, p99 ${q(99)} ms, max ${latencies.at(-1)} ms`,
);
