// Latency from an SHDR line leaving the machine to its MQTT message reaching
// a consumer, at a steady paced rate. The gateway is the product as shipped:
// `maskinport run --config FILE` in its own process (bench/support/
// maskinport-process.ts), in the default or the lean configuration, with its
// own embedded broker or an external Mosquitto; the machines and the consumer
// run in a worker here (latency-world.ts).
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import type { CpuReading } from "../support/flow-window.ts";
import { mainThreadRunQueueWaitUs, namedThreadRunQueueWaitUs, ThreadCpuMeter } from "../support/machine.ts";
import {
  freePort,
  type GatewayVariant,
  type MaskinportProcess,
  startMaskinport,
  waitForGateway,
  writeGatewayConfig,
} from "../support/maskinport-process.ts";
import { type Distribution, distribution } from "../support/stats.ts";
import { STAMP_KEY, STAMP_SIGNAL, type WorldReply, type WorldRequest } from "./latency-protocol.ts";

export type LatencyOptions = {
  /** The broker: an external one by URL; for the gateway run, "embedded" starts the gateway's own. */
  url: string | "embedded";
  qos: 0 | 1;
  obsPerSecond: number;
  machines: number;
  warmupMs: number;
  measureMs: number;
  /** Other CPU meters (e.g. the Mosquitto process), reported as a share of one core. */
  cpu?: Record<string, CpuReading>;
  /** Other run-queue wait meters (µs, cumulative), reported as ms waited per second. */
  waits?: Record<string, CpuReading>;
};

export type LatencyResult = {
  latency: Distribution;
  deliveredPerSecond: number;
  sentPerSecond: number;
  missingStamps: number;
  unreadableStamps: number;
  /** Bad-input counters of the adapters: must stay 0 (the bench's lines are valid). */
  adapterErrors: number;
  /**
   * Share of one core used while pacing (warm-up + measured part): "gateway"
   * is the maskinport process, all threads (with its embedded broker when that
   * is the target; "main thread" of this process in the floor run), plus each `cpu` meter.
   */
  cpuShare: Record<string, number>;
  /**
   * ms per second each part was ready to run but waited for a CPU (Linux
   * schedstat): what the machine's other jobs cost in latency. "gateway": all the gateway's threads.
   */
  runQueueWaitMsPerSecond: Record<string, number>;
};

/** Thread name of the machines + consumer worker (for its run-queue wait). */
const WORLD_THREAD = "bench-world";
let runs = 0;

/** A worker that answers each request with one reply, in order. */
class World {
  readonly #worker = new Worker(new URL("./latency-world.ts", import.meta.url), { name: WORLD_THREAD });

  /** Sends one request and waits for its reply; a silent or crashed worker fails the run instead of hanging it. */
  async request<K extends WorldReply>(req: WorldRequest, timeoutMs = 15_000): Promise<K> {
    this.#worker.postMessage(req);
    let timer: NodeJS.Timeout | undefined;
    try {
      const [reply] = (await Promise.race([
        once(this.#worker, "message"),
        once(this.#worker, "error").then(([err]) => Promise.reject(err)),
        once(this.#worker, "exit").then(() => Promise.reject(new Error(`worker exited during ${req.cmd}`))),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer to ${req.cmd} within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ])) as [WorldReply];
      if ("error" in reply) throw new Error(`latency world: ${reply.error}`);
      return reply as K;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    // Listen before asking: the worker exits right after its reply.
    const exited = once(this.#worker, "exit").catch(() => undefined);
    try {
      await this.request({ cmd: "close" }, 3000);
      await Promise.race([exited, sleep(3000)]);
    } finally {
      await this.#worker.terminate();
    }
  }
}

/** Asks the world to pace for warm-up + measure and meters this process meanwhile. */
async function runMeasured(
  world: World,
  via: "shdr" | "mqtt",
  opts: LatencyOptions,
  gateway?: MaskinportProcess,
): Promise<Omit<LatencyResult, "adapterErrors">> {
  // In the floor run this thread only publishes (and hosts the embedded broker, if that is the target).
  const thread = new ThreadCpuMeter();
  const own: Record<string, CpuReading> = gateway
    ? { gateway: () => gateway.cpuUs() }
    : { "main thread": () => thread.elapsedUs() };
  const ownWait: Record<string, CpuReading> = gateway
    ? { gateway: () => gateway.runQueueWaitUs() }
    : { "main thread": mainThreadRunQueueWaitUs };
  const meters: Record<string, CpuReading> = { ...own, ...opts.cpu };
  const waits: Record<string, CpuReading> = {
    ...ownWait,
    "machines+consumer": () => namedThreadRunQueueWaitUs(WORLD_THREAD),
    ...opts.waits,
  };
  const cpu0 = Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m()]));
  const wait0 = Object.fromEntries(Object.entries(waits).map(([k, m]) => [k, m()]));
  const t0 = performance.now();
  const ran = await world.request<Extract<WorldReply, { ok: "ran" }>>(
    { cmd: "run", via, obsPerSecond: opts.obsPerSecond, warmupMs: opts.warmupMs, measureMs: opts.measureMs },
    opts.warmupMs + opts.measureMs + 15_000,
  );
  const wallUs = (performance.now() - t0) * 1000;
  return {
    latency: distribution(ran.latencies),
    deliveredPerSecond: ran.deliveredPerSecond,
    sentPerSecond: ran.sentPerSecond,
    missingStamps: ran.missingStamps,
    unreadableStamps: ran.unreadableStamps,
    cpuShare: Object.fromEntries(
      Object.entries(meters).map(([k, m]) => [k, (m() - (cpu0[k] as number)) / wallUs]),
    ),
    runQueueWaitMsPerSecond: Object.fromEntries(
      Object.entries(waits).map(([k, m]) => [k, ((m() - (wait0[k] as number)) / wallUs) * 1000]),
    ),
  };
}

/**
 * The floor without a gateway: the same stamped messages (4 per line, the
 * same rate) published by bare mqtt.js in the world thread straight to the
 * broker, received by the same consumer. What the machine and the broker
 * cost on their own; the gateway's part is the difference.
 */
export async function measureDirectMqttLatency(
  opts: LatencyOptions & { url: string },
): Promise<LatencyResult> {
  const prefix = `bench/latency-direct-${process.pid}-${++runs}`;
  const world = new World();
  try {
    await world.request({ cmd: "subscribe", url: opts.url, topic: `${prefix}/+/signal/#`, qos: opts.qos });
    await world.request({ cmd: "publisher", url: opts.url, prefix, qos: opts.qos });
    return { ...(await runMeasured(world, "mqtt", opts)), adapterErrors: 0 };
  } finally {
    await world.close();
  }
}

/** `maskinport run` in `variant`'s configuration, its SHDR adapters connected to the world's machines. */
export async function measureShdrToMqttLatency(
  opts: LatencyOptions & { variant: GatewayVariant },
): Promise<LatencyResult> {
  const run = ++runs;
  const site = `latency-${process.pid}-${run}`;
  const dir = mkdtempSync(join(tmpdir(), "mp-bench-latency-"));
  const world = new World();
  let gateway: MaskinportProcess | undefined;
  try {
    const listening = await world.request<{ ok: "listening"; ports: number[] }>({
      cmd: "listen",
      machines: opts.machines,
    });
    const embeddedPort = opts.url === "embedded" ? await freePort() : undefined;
    const url = embeddedPort ? `mqtt://127.0.0.1:${embeddedPort}` : (opts.url as string);
    const webPort = await freePort();
    const config = writeGatewayConfig({
      variant: opts.variant,
      site,
      dir,
      mqtt: embeddedPort ? { embeddedPort } : { url },
      webPort,
      machines: listening.ports.map((port, i) => ({
        id: `lathe-${i + 1}`,
        name: `bench lathe ${i + 1}`,
        kind: "lathe",
        monitor: {
          type: "shdr",
          host: "127.0.0.1",
          port,
          keys: { [STAMP_KEY]: { signal: STAMP_SIGNAL, type: "sample" } },
        },
      })),
    });
    gateway = startMaskinport(config);
    const metricsUrl = `http://127.0.0.1:${webPort}/metrics`;
    let metrics = "";
    const readMetrics = async (): Promise<string> => {
      metrics = await fetch(metricsUrl)
        .then((r) => (r.ok ? r.text() : ""))
        .catch(() => "");
      return metrics;
    };
    // Started: its web server answers, and every adapter is connected to its machine.
    const connected = () => sumMetric(metrics, "maskinport_adapter_connected") === opts.machines;
    const gw = gateway;
    await waitForGateway(gw, "/metrics with every adapter connected", () => {
      void readMetrics();
      return connected();
    });
    await world.request({ cmd: "subscribe", url, topic: `maskinport/${site}/+/signal/#`, qos: opts.qos });
    const measured = await runMeasured(world, "shdr", opts, gateway);
    await readMetrics();
    return { ...measured, adapterErrors: sumMetric(metrics, "maskinport_adapter_errors_total") };
  } finally {
    await gateway?.stop();
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sum of a metric's samples (all label sets) in Prometheus text; NaN when absent. */
function sumMetric(text: string, name: string): number {
  let total = Number.NaN;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || (line[name.length] !== " " && line[name.length] !== "{")) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) total = (Number.isNaN(total) ? 0 : total) + value;
  }
  return total;
}
