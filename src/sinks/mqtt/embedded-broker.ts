import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { BrokerWorkerData, BrokerWorkerMessage } from "./broker-worker.ts";

export type EmbeddedBrokerOptions = {
  /** Listen address; keep 127.0.0.1 unless machines elsewhere must subscribe. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** When both are set, every client must log in with them. */
  username?: string;
  password?: string;
  log: Logger;
};

export type EmbeddedBroker = {
  port: number;
  close(): Promise<void>;
};

const LEVELS: Record<number, "trace" | "debug" | "info" | "warn" | "error" | "fatal"> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/**
 * The built-in broker for `mqtt.embedded` (aedes, in-memory retained store),
 * so `npm start` needs no Mosquitto. It runs in its own worker thread: routing
 * and writing every message costs about as much CPU as the rest of the gateway
 * together, and off the main thread it neither competes with the adapters nor
 * adds to their latency. Retained messages live as long as the process; the
 * MqttSink republishes its retained picture on every connect.
 */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { log } = opts;
  if ((opts.username === undefined) !== (opts.password === undefined)) {
    throw new Error("mqtt.embedded: set both username and password, or neither");
  }
  const data: BrokerWorkerData = {
    host: opts.host,
    port: opts.port,
    ...(opts.username !== undefined ? { username: opts.username, password: opts.password } : {}),
    level: log.level,
  };
  const worker = new Worker(new URL("./broker-worker.ts", import.meta.url), { workerData: data });
  let closedResolve: (() => void) | undefined;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    worker.on("message", (m: BrokerWorkerMessage) => {
      switch (m.type) {
        case "log": {
          const { level, msg, time: _time, ...fields } = JSON.parse(m.line) as Record<string, unknown>;
          log[LEVELS[level as number] ?? "info"](fields, String(msg ?? ""));
          break;
        }
        case "ready":
          resolve(m.port);
          break;
        case "failed":
          reject(new Error(m.message));
          break;
        case "closed":
          closedResolve?.();
          break;
      }
    });
    worker.once("error", (err) => {
      log.error({ err }, "embedded MQTT broker thread failed");
      reject(err);
    });
    exited.then(() => reject(new Error("embedded MQTT broker thread exited before it listened")));
  });

  let closed: Promise<void> | undefined;
  return {
    port,
    close() {
      closed ??= (async () => {
        const done = new Promise<void>((resolve) => {
          closedResolve = resolve;
        });
        worker.postMessage({ type: "close" });
        await Promise.race([done, exited]);
        await worker.terminate();
      })();
      return closed;
    },
  };
}
