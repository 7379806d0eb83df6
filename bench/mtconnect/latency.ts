// Bench: end-to-end latency agent → MQTT, through the product as shipped.
// The simulated agent (in this process) stamps each observation when the
// machine model changes; `maskinport run --config FILE` (its own process,
// default or lean configuration, its embedded broker) streams /sample, runs
// the pipeline and publishes; a subscriber here measures now − ts for every
// signal message it receives.
//
//   node_modules/.bin/node bench/mtconnect/latency.ts [--seconds 10] [--machines 4] [--interval 0] [--variant default|lean|both]
//
// `--interval` is the /sample interval the adapter asks for (agents batch
// changes for that long: it adds up to that much latency by design).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { connectAsync } from "mqtt";
import { startMtconnectSimulator } from "../../simulators/mtconnect/simulator.ts";
import {
  freePort,
  type GatewayVariant,
  startMaskinport,
  VARIANTS,
  writeGatewayConfig,
} from "../support/maskinport-process.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string" },
    machines: { type: "string" },
    interval: { type: "string" },
    variant: { type: "string" },
  },
});
const SECONDS = Number(values.seconds ?? 10);
const MACHINES = Number(values.machines ?? 4);
const INTERVAL = Number(values.interval ?? 0);
const variants: GatewayVariant[] =
  values.variant === undefined || values.variant === "both"
    ? [...VARIANTS]
    : [values.variant as GatewayVariant];
if (!variants.every((v) => VARIANTS.includes(v))) {
  console.error(`--variant: expected ${VARIANTS.join(", ")} or both`);
  process.exit(2);
}

const agent = await startMtconnectSimulator({ machines: MACHINES, timeScale: 10, tickMs: 10, seed: 7 });
// Keep every machine busy so that samples flow all the time.
agent.models.forEach((m, i) => {
  m.runProgram(m.programNames[i % m.programNames.length]!);
});

try {
  for (const variant of variants) await measure(variant);
} finally {
  await agent.close();
}

async function measure(variant: GatewayVariant): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mp-bench-mtc-"));
  const port = await freePort();
  const site = `mtc-latency-${variant}`;
  const config = writeGatewayConfig({
    variant,
    site,
    dir,
    mqtt: { embeddedPort: port },
    webPort: await freePort(),
    machines: agent.devices.map((d) => ({
      id: d.name,
      name: d.name,
      kind: "other",
      monitor: { type: "mtconnect", url: agent.url, device: d.name, intervalMs: INTERVAL, heartbeatMs: 1000 },
    })),
  });
  const gateway = startMaskinport(config);
  const latencies: number[] = [];
  let measuring = false;
  try {
    const url = `mqtt://127.0.0.1:${port}`;
    let subscriber: Awaited<ReturnType<typeof connectAsync>> | undefined;
    const deadline = performance.now() + 30_000;
    while (!subscriber) {
      subscriber = await connectAsync(url, { clientId: `bench-sub-${variant}`, reconnectPeriod: 0 }).catch(
        () => undefined,
      );
      if (!subscriber) {
        if (performance.now() > deadline)
          throw new Error(`no broker at ${url} within 30 s:\n${gateway.log()}`);
        await sleep(100);
      }
    }
    subscriber.on("message", (_topic, payload) => {
      if (!measuring) return;
      const ts = (JSON.parse(payload.toString()) as { ts: number }).ts;
      latencies.push(Date.now() - ts);
    });
    await subscriber.subscribeAsync(`maskinport/${site}/+/signal/#`, { qos: 0 });
    await sleep(2000); // connect, /current, first parts
    const cpu0 = gateway.cpuUs();
    measuring = true;
    await sleep(SECONDS * 1000);
    measuring = false;
    const cpuShare = (gateway.cpuUs() - cpu0) / (SECONDS * 1e6);
    await subscriber.endAsync(true);

    latencies.sort((a, b) => a - b);
    const q = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
    console.log(
      `MTConnect agent → maskinport run (${variant} config) → MQTT (its embedded broker), ${MACHINES} machines, /sample interval ${INTERVAL} ms, ${SECONDS} s`,
    );
    console.log(
      `  ${latencies.length.toLocaleString("en")} signal messages (${Math.round(latencies.length / SECONDS).toLocaleString("en")}/s): ` +
        `p50 ${q(50)} ms, p95 ${q(95)} ms, p99 ${q(99)} ms, max ${latencies.at(-1)} ms; gateway CPU ${(cpuShare * 100).toFixed(0)}% of a core`,
    );
  } finally {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
