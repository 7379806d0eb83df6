// Worker-thread entry of the embedded broker: runs listenBroker() with the
// options from workerData and talks to embedded-broker.ts by messages.
import { parentPort, workerData } from "node:worker_threads";
import { pino } from "pino";
import { listenBroker } from "./broker-core.ts";

export type BrokerWorkerData = {
  host: string;
  port: number;
  username?: string;
  password?: string;
  level: string;
};
export type BrokerWorkerMessage =
  | { type: "log"; line: string }
  | { type: "ready"; port: number }
  | { type: "failed"; message: string }
  | { type: "closed" };

const port = parentPort!;
const send = (m: BrokerWorkerMessage) => port.postMessage(m);
const data = workerData as BrokerWorkerData;
// Log lines go to the gateway's logger, which owns the output.
const log = pino(
  { level: data.level, base: undefined },
  { write: (line: string) => send({ type: "log", line }) },
);

try {
  const broker = await listenBroker({ ...data, log });
  send({ type: "ready", port: broker.port });
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
