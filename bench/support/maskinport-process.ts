// The gateway under measurement is the product as shipped: `maskinport run
// --config FILE` (bin/maskinport.mjs, with its V8 flags) in a process of its
// own, with a configuration file the bench writes. The bench reads the
// gateway's CPU and run-queue wait from /proc, never from inside it.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/**
 * The gateway the benches start: this checkout's, or MASKINPORT_ROOT's (another checkout sharing this
 * node_modules, e.g. main before a change: a before/after comparison with the same bench code).
 */
export const MASKINPORT_BIN = join(process.env.MASKINPORT_ROOT || ROOT, "bin", "maskinport.mjs");
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The two configurations every bench compares:
 * - `default`: what a site gets without choosing: the durable outbox on, so
 *   every MQTT message at QoS 1 (acknowledged before the outbox forgets it),
 *   and the embedded time-series store.
 * - `lean`: the outbox off and per-signal topics at QoS 0 (`mqtt.signalQos: 0`),
 *   embedded store still on: the fastest configuration the product offers.
 */
export type GatewayVariant = "default" | "lean";
export const VARIANTS: readonly GatewayVariant[] = ["default", "lean"];

export type GatewayConfigOptions = {
  variant: GatewayVariant;
  site: string;
  /** Folder for the config file, the store, the outbox and the library. */
  dir: string;
  /** `{ url }` of an external broker, or `{ embeddedPort }` for the gateway's own. */
  mqtt: { url: string } | { embeddedPort: number };
  /** The `machines:` list, as the config file has it. */
  machines: Record<string, unknown>[];
  webPort: number;
  logLevel?: "warn" | "info" | "error";
};

/** Writes the configuration (JSON, which the YAML loader reads) and returns its path. */
export function writeGatewayConfig(o: GatewayConfigOptions): string {
  mkdirSync(o.dir, { recursive: true });
  const mqtt: Record<string, unknown> =
    "url" in o.mqtt ? { url: o.mqtt.url } : { embedded: { port: o.mqtt.embeddedPort, host: "127.0.0.1" } };
  if (o.variant === "lean") mqtt.signalQos = 0;
  const config = {
    site: o.site,
    gateway: { id: `gw-${o.site}`.slice(0, 64), logLevel: o.logLevel ?? "warn" },
    mqtt,
    timeseries: { embedded: { path: "timeseries.db", retentionDays: 0 } },
    ...(o.variant === "lean" ? { outbox: { enabled: false } } : {}),
    web: { port: o.webPort, host: "127.0.0.1" },
    library: { path: "library.db" },
    machines: o.machines,
  };
  const file = join(o.dir, `maskinport-${o.variant}.yaml`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** A free TCP port on loopback (the gateway's config needs a number, not 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, "close");
  return port;
}

export type MaskinportProcess = {
  pid: number;
  /** User + system CPU of the whole process (all threads), µs; resolution 10 ms. */
  cpuUs(): number;
  /** Time its threads were runnable but waited for a CPU (schedstat), µs. */
  runQueueWaitUs(): number;
  /** The gateway's log so far (stdout + stderr). */
  log(): string;
  /** SIGTERM, wait for a clean exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
};

/**
 * Starts `maskinport run --config FILE` with this process's Node (Node 24:
 * benches run under node_modules/.bin/node). The gateway's output goes to
 * `<config dir>/gateway.log`.
 */
export function startMaskinport(configFile: string): MaskinportProcess {
  const logFile = join(dirname(configFile), "gateway.log");
  const out = openSync(logFile, "w");
  const child = spawn(process.execPath, [MASKINPORT_BIN, "run", "--config", configFile], {
    stdio: ["ignore", out, out],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start maskinport");
  const exited = once(child, "exit");
  let alive = true;
  void exited.then(() => {
    alive = false;
  });
  return {
    pid,
    cpuUs: () => processCpuUs(pid),
    runQueueWaitUs: () => processRunQueueWaitUs(pid),
    log: () => readFileSync(logFile, "utf8"),
    async stop(graceMs = 10_000) {
      if (!alive) return;
      child.kill("SIGTERM");
      const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** Waits until `check()` holds; fails naming `what` and the gateway's last log lines. */
export async function waitForGateway(
  gw: MaskinportProcess,
  what: string,
  check: () => boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) {
      const tail = gw.log().trim().split("\n").slice(-5).join("\n");
      throw new Error(`maskinport: no ${what} within ${timeoutMs / 1000} s; its log ends:\n${tail}`);
    }
    await sleep(50);
  }
}

/** utime + stime of a process (all its threads), µs; NaN when it is gone. */
export function processCpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Run-queue wait of all threads of a process, µs (schedstat's second field is ns); NaN when gone. */
export function processRunQueueWaitUs(pid: number): number {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "latin1").split(" ");
        total += Number(fields[1]) / 1000;
      } catch {
        // a thread that ended meanwhile
      }
    }
    return total;
  } catch {
    return Number.NaN;
  }
}
