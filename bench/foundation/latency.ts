// Latency from an SHDR line leaving the machine to its MQTT message reaching
// a consumer, at a steady paced rate. The gateway side here is wired exactly
// as src/gateway/gateway.ts wires it (ShdrAdapter → Pipeline.process →
// MqttSink.write, Pipeline.tick every 250 ms) and runs in this thread; the
// machines and the consumer run in a worker (latency-world.ts).
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { pino } from "pino";
import { ShdrAdapter } from "../../src/adapters/shdr/adapter.ts";
import { shdrMonitorSchema } from "../../src/adapters/shdr/config.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import type { CpuReading } from "../support/flow-window.ts";
import { mainThreadRunQueueWaitUs, namedThreadRunQueueWaitUs, ThreadCpuMeter } from "../support/machine.ts";
import { type Distribution, distribution } from "../support/stats.ts";
import { STAMP_KEY, STAMP_SIGNAL, type WorldReply, type WorldRequest } from "./latency-protocol.ts";

export type LatencyOptions = {
  url: string;
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
   * is this thread (adapters, pipeline, sink — and the embedded broker when
   * it is the target; "main thread" in the floor run), plus each `cpu` meter.
   */
  cpuShare: Record<string, number>;
  /**
   * ms per second each part was ready to run but waited for a CPU (Linux
   * schedstat): what the machine's other jobs cost in latency. "gateway" is this thread.
   */
  runQueueWaitMsPerSecond: Record<string, number>;
};

const log = pino({ level: "silent" });
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
): Promise<Omit<LatencyResult, "adapterErrors">> {
  // This thread is the gateway; in the floor run it only hosts the embedded broker (if any).
  const main = via === "shdr" ? "gateway" : "main thread";
  const thread = new ThreadCpuMeter();
  const meters: Record<string, CpuReading> = { [main]: () => thread.elapsedUs(), ...opts.cpu };
  const waits: Record<string, CpuReading> = {
    [main]: mainThreadRunQueueWaitUs,
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
export async function measureDirectMqttLatency(opts: LatencyOptions): Promise<LatencyResult> {
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

export async function measureShdrToMqttLatency(opts: LatencyOptions): Promise<LatencyResult> {
  const run = ++runs;
  const prefix = `bench/latency-${process.pid}-${run}`;
  const world = new World();
  const adapters: ShdrAdapter[] = [];
  let sink: MqttSink | undefined;
  let tick: NodeJS.Timeout | undefined;
  try {
    const listening = await world.request<{ ok: "listening"; ports: number[] }>({
      cmd: "listen",
      machines: opts.machines,
    });
    await world.request({ cmd: "subscribe", url: opts.url, topic: `${prefix}/+/signal/#`, qos: opts.qos });

    sink = new MqttSink({
      url: opts.url,
      prefix,
      gatewayId: `bench-latency-${process.pid}-${run}`,
      signalQos: opts.qos,
      log,
      startTimeoutMs: 5000,
    });
    await sink.start();
    if (!sink.connected) throw new Error(`MqttSink could not connect to ${opts.url}`);
    const activeSink = sink;
    const ids = listening.ports.map((_, i) => `lathe-${i + 1}`);
    const pipeline = new Pipeline({ machines: ids });
    tick = setInterval(() => activeSink.write(pipeline.tick()), 250);

    for (const [i, port] of listening.ports.entries()) {
      const config = shdrMonitorSchema.parse({
        type: "shdr",
        host: "127.0.0.1",
        port,
        keys: { [STAMP_KEY]: { signal: STAMP_SIGNAL, type: "sample" } },
      });
      const adapter = new ShdrAdapter({ machine: ids[i] as string, config });
      adapters.push(adapter);
      await adapter.start({ emit: (readings) => activeSink.write(pipeline.process(readings)), log });
    }
    const deadline = performance.now() + 5000;
    while (!adapters.every((a) => a.stats.connected)) {
      if (performance.now() > deadline) throw new Error("the SHDR adapters did not connect within 5 s");
      await sleep(10);
    }

    const measured = await runMeasured(world, "shdr", opts);
    return { ...measured, adapterErrors: adapters.reduce((sum, a) => sum + a.stats.errors, 0) };
  } finally {
    clearInterval(tick);
    await Promise.allSettled(adapters.map((a) => a.stop()));
    await sink?.stop();
    await world.close();
  }
}
