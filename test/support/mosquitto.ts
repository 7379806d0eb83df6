// A real Mosquitto for integration tests. npm test (scripts/test.sh) starts one and sets
// MASKINPORT_TEST_MQTT_URL; otherwise each caller gets its own broker on a
// free loopback port, which it may kill and restart (fault injection).
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { ServiceProcess } from "./service-process.ts";

export const MOSQUITTO_BIN = "/usr/sbin/mosquitto";

export type MosquittoOptions = {
  /** Keep retained messages across restart() (persistence file in the temp dir, saved every second). */
  persistence?: boolean;
  /** Always spawn an own broker, even when MASKINPORT_TEST_MQTT_URL is set (needed for kill/restart). */
  own?: boolean;
  /** More mosquitto.conf lines (implies an own broker), e.g. "max_queued_messages 0" for throughput probes. */
  extraConfig?: string[];
};

export type Mosquitto = {
  url: string;
  port: number;
  /** false for the broker from MASKINPORT_TEST_MQTT_URL: kill/restart then throw. */
  owned: boolean;
  /** Graceful stop (SIGTERM) and temp dir removal. A no-op for a broker we do not own. */
  stop(): Promise<void>;
  /** Abrupt stop (SIGKILL): clients see their sockets die. */
  kill(): void;
  /** Start again on the same port (after kill() or while running) and wait until it accepts connections. */
  restart(): Promise<void>;
  /** Graceful stop (SIGTERM) that keeps the port and the persistence file: an outage until bringUp(). */
  takeDown(): Promise<void>;
  /** Start again after takeDown() (or kill()) and wait until it accepts connections. */
  bringUp(): Promise<void>;
};

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function externalBroker(url: string): Mosquitto {
  const parsed = new URL(url);
  const notOwned = (): never => {
    throw new Error(
      `not owned: the Mosquitto at MASKINPORT_TEST_MQTT_URL (${parsed.host}) was started by npm test (scripts/test.sh); use startMosquitto({ own: true }) to kill/restart one`,
    );
  };
  return {
    url,
    port: Number(parsed.port || 1883),
    owned: false,
    stop: async () => {},
    kill: notOwned,
    restart: async () => notOwned(),
    takeDown: async () => notOwned(),
    bringUp: async () => notOwned(),
  };
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const envUrl = process.env.MASKINPORT_TEST_MQTT_URL;
  if (envUrl && !opts.own && !opts.persistence && !opts.extraConfig) return externalBroker(envUrl);
  if (!existsSync(MOSQUITTO_BIN)) {
    throw new Error("mosquitto not installed: apt-get install mosquitto (npm test installs it)");
  }

  const dir = await mkdtemp(join(tmpdir(), "maskinport-mosquitto-"));
  const port = await freePort();
  const config = [
    `listener ${port} 127.0.0.1`,
    "allow_anonymous true",
    opts.persistence
      ? `persistence true\npersistence_location ${dir}/\nautosave_interval 1`
      : "persistence false",
    // Started as root (containers, CI), Mosquitto would drop to the user
    // "mosquitto", which cannot write the persistence file in our 0700 temp dir.
    process.getuid?.() === 0 ? "user root" : "",
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    ...(opts.extraConfig ?? []),
  ].join("\n");
  const configFile = join(dir, "mosquitto.conf");
  await writeFile(configFile, `${config}\n`);

  const server = new ServiceProcess({
    name: "mosquitto",
    bin: MOSQUITTO_BIN,
    configFlag: "-c",
    configFile,
    ready: () => canConnect(port),
    readyMs: 5000,
    readyMeans: `accept connections on 127.0.0.1:${port}`,
  });
  await server.launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    owned: true,
    stop: async () => {
      await server.terminate("SIGTERM");
      await rm(dir, { recursive: true, force: true });
    },
    kill: () => server.killNow(),
    restart: async () => {
      await server.terminate("SIGTERM");
      await server.launch();
    },
    takeDown: () => server.terminate("SIGTERM"),
    bringUp: () => server.launch(),
  };
}
