// Worker-thread entry of the embedded broker: runs listenBroker() with the
// options from workerData and talks to embedded-broker.ts by messages.
import { parentPort, workerData } from "node:worker_threads";
import { pino } from "pino";
import { type BrokerCoreOptions, listenBroker } from "./broker-core.ts";

/** Everything listenBroker needs but the logger (workerData is a structured clone, never logged). */
export type BrokerWorkerData = Omit<BrokerCoreOptions, "log"> & { level: string };
export type BrokerWorkerMessage =
  | { type: "log"; line: string }
  | { type: "ready"; port: number; tlsPort?: number }
  | { type: "failed"; message: string }
  | { type: "closed" };

const port = parentPort!;
const send = (m: BrokerWorkerMessage) => port.postMessage(m);
const { level, ...options } = workerData as BrokerWorkerData;
// Log lines go to the gateway's logger, which owns the output.
const log = pino({ level, base: undefined }, { write: (line: string) => send({ type: "log", line }) });

try {
  const broker = await listenBroker({ ...options, log });
  send({
    type: "ready",
    port: broker.port,
    ...(broker.tlsPort !== undefined ? { tlsPort: broker.tlsPort } : {}),
  });
  port.on("message", async (m: { type: string }) => {
    if (m.type !== "close") return;
    await broker.close();
    send({ type: "closed" });
    port.close();
  });
} catch (err) {
  send({ type: "failed", message: (err as Error).message });
  port.close();
}
