// The gateway's own CPU for a 100-machine fleet, measured through
// `maskinport run`: a generated config (100 SHDR machines, embedded MQTT
// broker and time-series store, the defaults otherwise) against two
// `maskinport sim shdr` processes of 50 machines each, so the simulators'
// CPU is not the gateway's. CPU is read from /proc/<pid>/stat (every thread
// of the gateway process: event loop, broker and store workers).
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NODE_FLAGS } from "../../bin/node-flags.mjs";
import { freePort } from "../../test/support/ports.ts";

const BIN = join(import.meta.dirname, "../../bin/maskinport.mjs");

function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

/** Start a `maskinport` process (added to `children` at once, so it is stopped whatever happens). */
function start(
  args: string[],
  ready: (output: string) => boolean,
  what: string,
  children: ChildProcess[],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...NODE_FLAGS, BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let seen = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start in 90 s: ${seen.slice(-500)}`)),
      90_000,
    );
    const onData = (d: Buffer) => {
      seen += String(d);
      if (ready(seen)) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        child.stderr!.off("data", onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${what} exited ${code}: ${seen.slice(-500)}`)));
  });
}

export type GatewayCpu = { machines: number; seconds: number; cpuShare: number; observationsNote: string };

/** Run the fleet for `seconds` after `warmupSeconds`; the gateway's CPU as a share of one core. */
export async function measureGatewayCpu(
  dir: string,
  seconds: number,
  warmupSeconds = 15,
): Promise<GatewayCpu> {
  const machines = 100;
  const simPort = 20_000 + Math.floor(Math.random() * 20_000);
  const [mqttPort, webPort] = [await freePort(), await freePort()];
  const config = [
    "site: bench",
    "gateway: { id: gw-bench, timeZone: Europe/Oslo }",
    `mqtt: { embedded: { port: ${mqttPort} } }`,
    `timeseries: { embedded: { path: ${join(dir, "ts.db")} } }`,
    `library: { path: ${join(dir, "library.db")} }`,
    `outbox: { path: ${join(dir, "outbox")} }`,
    `web: { port: ${webPort}, host: 127.0.0.1 }`,
    "machines:",
    ...Array.from({ length: machines }, (_, i) =>
      [
        `  - id: m${i + 1}`,
        `    name: Simulated machine ${i + 1}`,
        `    kind: ${i % 2 === 0 ? "lathe" : "mill"}`,
        `    monitor: { type: shdr, host: 127.0.0.1, port: ${simPort + (i < 50 ? i : i - 50 + 100)} }`,
      ].join("\n"),
    ),
  ].join("\n");
  const file = join(dir, "fleet.yaml");
  writeFileSync(file, `${config}\n`);
  const children: ChildProcess[] = [];
  try {
    for (const [port, seed] of [
      [simPort, 1],
      [simPort + 100, 51],
    ] as const) {
      await start(
        ["sim", "shdr", "--port", String(port), "--machines", "50", "--seed", String(seed)],
        (out) => (out.match(/SHDR simulator listening/g)?.length ?? 0) >= 50,
        "simulator",
        children,
      );
    }
    const gw = await start(
      ["run", "--config", file],
      (out) => out.includes("gateway started"),
      "gateway",
      children,
    );
    await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
    const c0 = processCpuUs(gw.pid!);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpuShare = (processCpuUs(gw.pid!) - c0) / 1000 / (performance.now() - t0);
    return { machines, seconds, cpuShare, observationsNote: "simulated SHDR machines at time scale 1" };
  } finally {
    for (const c of children.reverse()) {
      c.kill("SIGTERM");
      await new Promise((r) => {
        if (c.exitCode !== null) r(undefined);
        else c.once("exit", r);
        setTimeout(r, 10_000).unref();
      });
    }
  }
}
