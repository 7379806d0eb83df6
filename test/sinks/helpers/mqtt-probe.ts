// A subscriber that records what a broker delivers, for asserting on topics,
// payloads, retain flags and QoS.
import { randomUUID } from "node:crypto";
import { connectAsync, type MqttClient } from "mqtt";

export type Received = { topic: string; payload: Record<string, unknown>; retain: boolean; qos: number };

export type Probe = {
  messages: Received[];
  on(topic: string): Received[];
  /** Resolves once `count` messages on `topic` have arrived. */
  waitFor(topic: string, count?: number, timeoutMs?: number): Promise<Received[]>;
  /**
   * Everything the broker queued for this probe before now has arrived: the
   * probe publishes to itself and waits for the echo (the broker keeps order
   * per client). Use it to assert that something did NOT arrive.
   */
  barrier(): Promise<void>;
  close(): Promise<void>;
};

export async function subscribeProbe(
  url: string,
  filters: string[],
  opts: { username?: string; password?: string } = {},
): Promise<Probe> {
  const barrierTopic = `maskinport-test-barrier/${randomUUID()}`;
  const client: MqttClient = await connectAsync(url, { ...opts, reconnectPeriod: 0, clean: true });
  const messages: Received[] = [];
  const waiters = new Set<() => void>();
  client.on("message", (topic, payload, packet) => {
    messages.push({ topic, payload: JSON.parse(payload.toString()), retain: packet.retain, qos: packet.qos });
    for (const wake of waiters) wake();
  });
  await client.subscribeAsync([...filters, barrierTopic], { qos: 1 });

  const waitUntil = (what: string, done: () => boolean, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (done()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `probe: timed out after ${timeoutMs} ms waiting for ${what}; got ${messages.map((m) => m.topic).join(", ") || "nothing"}`,
          ),
        );
      }, timeoutMs);
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });

  const on = (topic: string): Received[] => messages.filter((m) => m.topic === topic);
  return {
    messages,
    on,
    async waitFor(topic, count = 1, timeoutMs = 5000) {
      await waitUntil(`${count} message(s) on ${topic}`, () => on(topic).length >= count, timeoutMs);
      return on(topic);
    },
    async barrier() {
      const id = randomUUID();
      await client.publishAsync(barrierTopic, JSON.stringify({ id }), { qos: 1 });
      await waitUntil(
        "the barrier echo",
        () => messages.some((m) => m.topic === barrierTopic && m.payload.id === id),
        5000,
      );
    },
    async close() {
      await client.endAsync(true);
    },
  };
}
