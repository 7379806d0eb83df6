// A real Mosquitto for integration tests. CI (.ci/run) may start one and set
// MASKINPORT_TEST_MQTT_URL; otherwise each caller gets its own broker on a
// free loopback port, which it may kill and restart (fault injection).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";

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
};

// Mosquitto runs under a small shell watchdog that holds our stdin pipe: when
// this process goes away in any way (even a worker killed on a timeout) the
// pipe closes, `cat` returns and the broker is killed. No orphan brokers on a
// machine shared with other test runs. The shell prints the broker's pid and
// exits when the broker does. ($0 = binary, $1 = config file.)
const WATCHDOG =
  'exec 3<&0; "$0" -c "$1" </dev/null & pid=$!; echo "$pid"; (cat <&3 >/dev/null; kill -9 "$pid" 2>/dev/null) & wait "$pid"';

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const proc of running) proc.stdin?.destroy();
});

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

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
      `not owned: the Mosquitto at MASKINPORT_TEST_MQTT_URL (${parsed.host}) was started by CI; use startMosquitto({ own: true }) to kill/restart one`,
    );
  };
  return {
    url,
    port: Number(parsed.port || 1883),
    owned: false,
    stop: async () => {},
    kill: notOwned,
    restart: async () => notOwned(),
  };
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const envUrl = process.env.MASKINPORT_TEST_MQTT_URL;
  if (envUrl && !opts.own && !opts.persistence && !opts.extraConfig) return externalBroker(envUrl);
  if (!existsSync(MOSQUITTO_BIN)) {
    throw new Error("mosquitto not installed: apt-get install mosquitto (CI: .ci/run installs it)");
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

  let child: { proc: ChildProcess; pid: number } | undefined;
  let stderr = "";

  const launch = async (): Promise<void> => {
    stderr = "";
    const proc = spawn("/bin/sh", ["-c", WATCHDOG, MOSQUITTO_BIN, configFile], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    running.add(proc);
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let exited = false;
    proc.once("exit", () => {
      exited = true;
      running.delete(proc);
      proc.stdin?.end(); // lets the watchdog go
    });
    const pid = await new Promise<number>((resolve) =>
      proc.stdout?.once("data", (chunk: Buffer) => resolve(Number.parseInt(chunk.toString(), 10))),
    );
    child = { proc, pid };
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (exited) break;
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    signal(pid, "SIGKILL");
    throw new Error(
      `mosquitto did not accept connections on 127.0.0.1:${port} within 5 s${exited ? " (it exited)" : ""}: ${stderr.trim() || "no output"}`,
    );
  };

  const terminate = async (sig: NodeJS.Signals): Promise<void> => {
    const current = child;
    child = undefined;
    if (!current) return;
    const { proc, pid } = current;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    signal(pid, sig);
    await exited;
  };

  await launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    owned: true,
    stop: async () => {
      await terminate("SIGTERM");
      await rm(dir, { recursive: true, force: true });
    },
    kill: () => {
      if (child) signal(child.pid, "SIGKILL");
    },
    restart: async () => {
      await terminate("SIGTERM");
      await launch();
    },
  };
}
