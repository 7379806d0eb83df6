// Observations per second from the pipeline to an MQTT consumer, and the same
// broker fed by bare mqtt.js with ready-made messages (the baseline the ratio
// goal compares with). Both publishers run in this thread under the same
// closed-loop flow control (support/flow-window.ts); the subscriber runs in
// a worker thread like the separate program it stands for.
import type { Socket } from "node:net";
import { connectAsync, type MqttClient } from "mqtt";
import { pino } from "pino";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { signalPayload, Topics } from "../../src/sinks/mqtt/topics.ts";
import { type CpuReading, type FlowWindowResult, measureFlowWindow } from "../support/flow-window.ts";
import { percentile } from "../support/stats.ts";
import { startSubscriberThread } from "../support/subscriber-thread.ts";
import { MACHINES, ReadingWorkload } from "./workload.ts";

export type ThroughputOptions = {
  url: string;
  qos: 0 | 1;
  warmupMs: number;
  windowMs: number;
  maxInFlight: number;
  /** Other CPU meters to report per observation (e.g. the Mosquitto process). */
  cpu?: Record<string, CpuReading>;
};

const log = pino({ level: "silent" });
/** Observations published per event-loop turn: 5 pipeline batches of 100. */
const BURST = 500;
let runs = 0;

function uniquePrefix(kind: string): string {
  return `bench/${kind}-${process.pid}-${++runs}`;
}

/** Adapter readings → Pipeline.process → MqttSink.write, with the gateway's 250 ms tick. */
export async function measurePipelineToBroker(opts: ThroughputOptions): Promise<FlowWindowResult> {
  const prefix = uniquePrefix("pipeline");
  const subscriber = await startSubscriberThread({
    url: opts.url,
    topic: `${prefix}/+/signal/#`,
    qos: opts.qos,
  });
  const sink = new MqttSink({
    url: opts.url,
    prefix,
    gatewayId: `bench-${process.pid}-${runs}`,
    signalQos: opts.qos,
    log,
    startTimeoutMs: 5000,
  });
  let tick: NodeJS.Timeout | undefined;
  try {
    await sink.start();
    if (!sink.connected) throw new Error(`MqttSink could not connect to ${opts.url}`);
    const pipeline = new Pipeline({ machines: MACHINES });
    const workload = new ReadingWorkload();
    tick = setInterval(() => sink.write(pipeline.tick()), 250);
    return await measureFlowWindow({
      ...opts,
      burst: BURST,
      delivered: subscriber.delivered,
      cpu: { subscriber: subscriber.cpuUs, ...opts.cpu },
      write: (max) => {
        let published = 0;
        do {
          const out = pipeline.process(workload.next());
          sink.write(out);
          published += out.observations.length;
        } while (published < max);
        return published;
      },
    });
  } finally {
    clearInterval(tick);
    await sink.stop();
    await subscriber.stop();
  }
}

/**
 * What the pipeline publishes, made beforehand: the same topics and payloads
 * (so the same sizes), which bare mqtt.js then publishes in a loop.
 */
function readyMadeMessages(prefix: string, count: number): { topics: string[]; payloads: string[] } {
  const topics = new Topics(prefix);
  const pipeline = new Pipeline({ machines: MACHINES });
  const workload = new ReadingWorkload();
  const out = { topics: [] as string[], payloads: [] as string[] };
  while (out.topics.length < count) {
    for (const o of pipeline.process(workload.next()).observations) {
      out.topics.push(topics.signal(o.machine, o.signal));
      out.payloads.push(signalPayload(o));
    }
  }
  return out;
}

/** Bare mqtt.js, configured as MqttSink configures it, publishing ready-made messages (retained, like signals). */
export async function measureRawMqttJs(opts: ThroughputOptions): Promise<FlowWindowResult> {
  const prefix = uniquePrefix("raw");
  const { topics, payloads } = readyMadeMessages(prefix, 20_000);
  const subscriber = await startSubscriberThread({
    url: opts.url,
    topic: `${prefix}/+/signal/#`,
    qos: opts.qos,
  });
  const options = { qos: opts.qos, retain: true } as const;
  let client: MqttClient | undefined;
  let next = 0;
  try {
    const publisher = await connectAsync(opts.url, {
      clientId: `bench-raw-${process.pid}-${runs}`,
      reconnectPeriod: 0,
      queueQoSZero: false,
      log: () => {},
    });
    client = publisher;
    (publisher.stream as unknown as Partial<Socket>).setNoDelay?.(true);
    return await measureFlowWindow({
      ...opts,
      burst: BURST,
      delivered: subscriber.delivered,
      cpu: { subscriber: subscriber.cpuUs, ...opts.cpu },
      write: (max) => {
        for (let i = 0; i < max; i++) {
          publisher.publish(topics[next] as string, payloads[next] as string, options);
          next = next + 1 === topics.length ? 0 : next + 1;
        }
        return max;
      },
    });
  } finally {
    // Forced: the drain has already waited for every delivery; a dead broker must not hold us.
    await client?.endAsync(true);
    await subscriber.stop();
  }
}

export type Comparison = {
  /** The best window of each (the least disturbed on a shared machine). */
  pipeline: FlowWindowResult;
  raw: FlowWindowResult;
  /**
   * Median over the rounds of pipeline rate / raw rate, each round's pair
   * measured back to back: one disturbed window cannot decide it.
   */
  ratio: number;
  /** Messages lost over all rounds. */
  pipelineLost: number;
  rawLost: number;
  rounds: number;
};

/**
 * Pipeline and bare mqtt.js, interleaved for `rounds` rounds so that a change
 * in the neighbours' load hits both alike.
 */
export async function compareWithRawMqttJs(
  opts: ThroughputOptions & { rounds: number },
): Promise<Comparison> {
  let pipeline: FlowWindowResult | undefined;
  let raw: FlowWindowResult | undefined;
  let pipelineLost = 0;
  let rawLost = 0;
  const ratios: number[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    const r = await measureRawMqttJs(opts);
    rawLost += r.lost;
    if (!raw || r.rate > raw.rate) raw = r;
    const p = await measurePipelineToBroker(opts);
    pipelineLost += p.lost;
    if (!pipeline || p.rate > pipeline.rate) pipeline = p;
    ratios.push(p.rate / r.rate);
  }
  if (!pipeline || !raw) throw new Error("rounds must be ≥ 1");
  ratios.sort((a, b) => a - b);
  return { pipeline, raw, ratio: percentile(ratios, 50), pipelineLost, rawLost, rounds: opts.rounds };
}
