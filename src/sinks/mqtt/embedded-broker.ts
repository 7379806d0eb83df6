import { randomBytes } from "node:crypto";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import {
  anonymousReadDefault,
  BROKER_LIMIT_DEFAULTS,
  type BrokerLimits,
  type BrokerTlsConfig,
  type BrokerUser,
  GATEWAY_USERNAME,
} from "./broker-config.ts";
import type { GatewayLogin } from "./broker-guard.ts";
import type { BrokerWorkerData, BrokerWorkerMessage } from "./broker-worker.ts";

export type { GatewayLogin } from "./broker-guard.ts";

export type EmbeddedBrokerOptions = {
  /** Listen address; keep 127.0.0.1 unless machines elsewhere must subscribe. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The topic prefix only the gateway may publish under (mqtt.prefix, default maskinport/<site>). */
  prefix: string;
  /** The client id the gateway's MqttSink connects with; nobody else may connect with it. */
  gatewayClientId: string;
  /**
   * The gateway's password on this broker. Leave it out: a random one is made
   * at every start. Tests that restart the broker under a running sink pass
   * the previous `gatewayLogin.password`.
   */
  gatewayPassword?: string;
  /** One login with role readwrite (the older form of `users`); anonymous read then defaults to off. */
  username?: string;
  password?: string;
  users?: readonly BrokerUser[];
  /** Default: anonymousReadDefault() (true on loopback only, without `username`). */
  allowAnonymousRead?: boolean;
  tls?: BrokerTlsConfig;
  limits?: Partial<BrokerLimits>;
  log: Logger;
};

export type EmbeddedBroker = {
  port: number;
  /** The TLS listener's port, when mqtt.embedded.tls is set. */
  tlsPort?: number;
  /** What the gateway's MqttSink logs in with (username, password, clientId). Never log it. */
  gatewayLogin: GatewayLogin;
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
  const gatewayLogin: GatewayLogin = {
    username: GATEWAY_USERNAME,
    // 256 bits from the OS; it lives in this process and the broker thread only.
    password: opts.gatewayPassword ?? randomBytes(32).toString("base64url"),
    clientId: opts.gatewayClientId,
  };
  const users: BrokerUser[] = [
    ...(opts.username !== undefined && opts.password !== undefined
      ? [{ username: opts.username, password: opts.password, role: "readwrite" as const }]
      : []),
    ...(opts.users ?? []),
  ];
  const allowAnonymousRead = opts.allowAnonymousRead ?? anonymousReadDefault(opts);
  if (!allowAnonymousRead && opts.allowAnonymousRead === undefined && users.length === 0) {
    log.warn(
      { host: opts.host },
      "embedded MQTT broker: nobody but the gateway can log in (it faces the network and no mqtt.embedded.users are set)",
    );
  }
  const data: BrokerWorkerData = {
    host: opts.host,
    port: opts.port,
    prefix: opts.prefix,
    gateway: gatewayLogin,
    users,
    allowAnonymousRead,
    limits: { ...BROKER_LIMIT_DEFAULTS, ...opts.limits },
    ...(opts.tls ? { tls: opts.tls } : {}),
    level: log.level,
  };
  const worker = new Worker(new URL("./broker-worker.ts", import.meta.url), { workerData: data });
  let closedResolve: (() => void) | undefined;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));

  const ports = await new Promise<{ port: number; tlsPort?: number }>((resolve, reject) => {
    worker.on("message", (m: BrokerWorkerMessage) => {
      switch (m.type) {
        case "log": {
          const { level, msg, time: _time, ...fields } = JSON.parse(m.line) as Record<string, unknown>;
          log[LEVELS[level as number] ?? "info"](fields, String(msg ?? ""));
          break;
        }
        case "ready":
          resolve(m.tlsPort !== undefined ? { port: m.port, tlsPort: m.tlsPort } : { port: m.port });
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
    ...ports,
    gatewayLogin,
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
