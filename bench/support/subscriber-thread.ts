// A counting MQTT subscriber in its own worker thread, so that the consumer
// does not share an event loop with the publisher it measures (a real
// consumer is another program). Its count and CPU time cross threads through
// shared memory: the publishing side reads them at any moment without a
// message round trip, which is what its flow control needs.
import { once } from "node:events";
import { Worker } from "node:worker_threads";

export type SubscriberThreadOptions = { url: string; topic: string; qos: 0 | 1 };

export type SubscriberThread = {
  /** Messages delivered to the subscriber so far. */
  delivered(): number;
  /** CPU µs the subscriber thread has used so far (updated every 50 ms). */
  cpuUs(): number;
  stop(): Promise<void>;
};

/** Slots of the shared Float64Array. */
export const DELIVERED = 0;
export const CPU_US = 1;

export type SubscriberWorkerData = SubscriberThreadOptions & { shared: SharedArrayBuffer };

/** Starts the worker and resolves once its subscription is acknowledged by the broker. */
export async function startSubscriberThread(opts: SubscriberThreadOptions): Promise<SubscriberThread> {
  const shared = new SharedArrayBuffer(16);
  const view = new Float64Array(shared);
  const data: SubscriberWorkerData = { ...opts, shared };
  const worker = new Worker(new URL("./subscriber-worker.ts", import.meta.url), { workerData: data });
  const [first] = (await Promise.race([
    once(worker, "message"),
    once(worker, "error").then(([err]) => Promise.reject(err)),
  ])) as [{ ready?: true; error?: string }];
  if (first.error !== undefined) {
    await worker.terminate();
    throw new Error(`bench subscriber could not subscribe at ${opts.url}: ${first.error}`);
  }
  return {
    // Plain reads of floats one other thread writes: aligned 8-byte values
    // cannot tear, and a value a moment old is fine.
    delivered: () => view[DELIVERED] as number,
    cpuUs: () => view[CPU_US] as number,
    stop: async () => {
      worker.postMessage("stop");
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await once(worker, "exit");
      clearTimeout(timer);
    },
  };
}
