// A real MQTT consumer for benchmarks: an mqtt.js subscriber that counts what
// arrives and, for latency runs, reads a send stamp out of the payload. It
// runs in whatever thread creates it (see subscriber-thread.ts for one of its
// own). noDelay on its socket, as on every MQTT socket we measure
// (notes/toolchain.md: Nagle costs 40+ ms per round trip).
import type { Socket } from "node:net";
import { connectAsync, type MqttClient } from "mqtt";

export type MqttCounterOptions = {
  url: string;
  /** Topic filter, e.g. "bench/+/signal/#". */
  topic: string;
  qos: 0 | 1;
  clientId?: string;
  /**
   * Messages whose topic ends with this carry, as the payload's `"value"`, the
   * sender's `performance.now()` of the same thread: their latency is kept.
   */
  stampTopicSuffix?: string;
  /** Called once per message (after counting); keep it cheap. */
  onMessage?: () => void;
};

// `"value":` then a number, as in the signal payload (topics.ts signalPayload).
const VALUE_PREFIX = '"value":';

export function stampFromPayload(payload: Buffer): number {
  const text = payload.toString("latin1");
  const at = text.indexOf(VALUE_PREFIX);
  if (at < 0) return Number.NaN;
  const end = text.indexOf(",", at);
  return Number(text.slice(at + VALUE_PREFIX.length, end < 0 ? undefined : end));
}

export class MqttCounter {
  /** Messages received since connect. */
  received = 0;
  /** Latencies (ms) of stamped messages since the last takeLatencies(). */
  #latencies: number[] = [];
  /** Stamped messages whose payload had no readable stamp. */
  unreadableStamps = 0;
  readonly #client: MqttClient;

  private constructor(client: MqttClient) {
    this.#client = client;
  }

  static async connect(opts: MqttCounterOptions): Promise<MqttCounter> {
    const client = await connectAsync(opts.url, {
      clientId: opts.clientId ?? `bench-sub-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: 0,
      // mqtt.js traces every packet through `debug` unless given a logger.
      log: () => {},
    });
    (client.stream as unknown as Partial<Socket>).setNoDelay?.(true);
    const counter = new MqttCounter(client);
    const suffix = opts.stampTopicSuffix;
    const onMessage = opts.onMessage;
    client.on("message", (topic, payload) => {
      counter.received++;
      if (suffix !== undefined && topic.endsWith(suffix)) {
        const sent = stampFromPayload(payload);
        if (Number.isFinite(sent)) counter.#latencies.push(performance.now() - sent);
        else counter.unreadableStamps++;
      }
      onMessage?.();
    });
    await client.subscribeAsync(opts.topic, { qos: opts.qos });
    return counter;
  }

  /** The latencies collected since the last call, and start a new collection. */
  takeLatencies(): number[] {
    const out = this.#latencies;
    this.#latencies = [];
    return out;
  }

  async close(): Promise<void> {
    await this.#client.endAsync(true);
  }
}
