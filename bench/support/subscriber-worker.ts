// Worker body of subscriber-thread.ts: subscribe, count into shared memory.
import { parentPort, workerData } from "node:worker_threads";
import { MqttCounter } from "./mqtt-counter.ts";
import { CPU_US, DELIVERED, type SubscriberWorkerData } from "./subscriber-thread.ts";

const data = workerData as SubscriberWorkerData;
const port = parentPort;
if (!port) throw new Error("subscriber-worker.ts must run as a worker thread");
const shared = new Float64Array(data.shared);

const publishCpu = () => {
  const cpu = process.threadCpuUsage();
  shared[CPU_US] = cpu.user + cpu.system;
};

try {
  const counter = await MqttCounter.connect({
    url: data.url,
    topic: data.topic,
    qos: data.qos,
    onMessage: () => {
      shared[DELIVERED] = (shared[DELIVERED] as number) + 1;
    },
  });
  // getrusage per message would cost more than counting it.
  const cpuTimer = setInterval(publishCpu, 50);
  publishCpu();
  port.on("message", async (msg) => {
    if (msg !== "stop") return;
    clearInterval(cpuTimer);
    await counter.close();
    port.close();
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ error: (err as Error).message });
  port.close();
}
