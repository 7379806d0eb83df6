// Fault injection: the whole gateway (`maskinport run`, a child process with
// simulated machines, a real Mosquitto and a real influxd) is SIGKILLed
// mid-stream and started again. Nothing it accepted may be missing on MQTT or
// in InfluxDB; duplicates may appear only around the crash (the replay window).
// Both sinks append each pipeline output as ONE record of the shared outbox
// log, so a kill between "MQTT has it" and "InfluxDB has it" cannot happen.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { influxCount, startInfluxd } from "../support/influxd.ts";
import { freePorts, waitFor } from "../support/ports.ts";
import { missingSeqs, sleep } from "./support/load.ts";
import { startOutageBroker } from "./support/mosquitto-outage.ts";

const dir = mkdtempSync(join(tmpdir(), "mp-fault-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BIN = join(import.meta.dirname, "../../bin/maskinport.mjs");

function runGateway(config: string): { proc: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, [BIN, "run", "--config", config], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let output = "";
  proc.stdout?.on("data", (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
  });
  proc.stderr?.on("data", (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
  });
  return { proc, output: () => output };
}

const exited = (proc: ChildProcess) =>
  proc.exitCode !== null || proc.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => proc.once("exit", () => r()));

describe("fault: gateway SIGKILLed mid-stream and restarted", () => {
  it("0 missing on MQTT and in InfluxDB; duplicates only around the crash", { timeout: 90_000 }, async () => {
    const broker = await startOutageBroker(["max_queued_messages 1000000"]);
    const influxd = await startInfluxd();
    const [web, simA, simB] = await freePorts(3);
    const prefix = `fault/crash/${process.pid}`;
    const database = `crash_${process.pid}_${Date.now()}`;
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      `site: fault
gateway: { id: gw-crash, logLevel: warn }
mqtt:
  url: ${broker.url}
  prefix: ${prefix}
  clientId: gw-crash-${process.pid}
timeseries:
  influx: { url: "${influxd.url}", database: ${database}, createDatabase: true, flushIntervalMs: 200 }
outbox: { path: ${join(dir, "outbox")} }
web: { port: ${web}, host: 127.0.0.1 }
machines:
  - { id: lathe-1, name: Lathe, kind: lathe, monitor: { type: shdr, host: 127.0.0.1, port: ${simA} } }
  - { id: mill-1, name: Mill, kind: mill, monitor: { type: shdr, host: 127.0.0.1, port: ${simB} } }
simulators:
  - { type: shdr, port: ${simA}, machines: 1, seed: 3, timeScale: 30 }
  - { type: shdr, port: ${simB}, machines: 1, seed: 4, timeScale: 30 }
`,
    );

    const subscriber = await connectAsync(broker.url, { clientId: `crash-sub-${process.pid}`, clean: false });
    const seen: number[] = [];
    subscriber.on("message", (_t, payload) => {
      const seq = (JSON.parse(payload.toString()) as { seq?: number }).seq;
      if (typeof seq === "number") seen.push(seq);
    });
    await subscriber.subscribeAsync(`${prefix}/+/signal/#`, { qos: 1 });
    const maxSeen = () => seen.reduce((a, b) => Math.max(a, b), 0);

    let gateway = runGateway(config);
    try {
      await waitFor(
        "observations from the first run",
        () => (seen.length >= 300 ? true : undefined),
        30_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${gateway.output()}`);
      });
      await sleep(1000);
      gateway.proc.kill("SIGKILL");
      await exited(gateway.proc);
      const beforeCrash = maxSeen();
      const seenBeforeCrash = seen.length;

      gateway = runGateway(config);
      await waitFor(
        "observations after the restart",
        () => (maxSeen() > beforeCrash + 300 ? true : undefined),
        30_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${gateway.output()}`);
      });
      gateway.proc.kill("SIGTERM"); // clean stop: the outboxes are delivered before it exits
      await exited(gateway.proc);
      expect(gateway.proc.exitCode, gateway.output()).toBe(0);

      const last = maxSeen();
      await waitFor(
        "every seq on MQTT",
        () => (missingSeqs(seen, last).length === 0 ? true : undefined),
        10_000,
      ).catch(() => undefined);
      const missing = missingSeqs(seen, last);
      expect(missing.length, `missing on MQTT, first: ${missing.slice(0, 10).join(", ")}`).toBe(0);

      // Duplicates: what was handed out but not acknowledged when the process died.
      const counts = new Map<number, number>();
      for (const s of seen) counts.set(s, (counts.get(s) ?? 0) + 1);
      const duplicated = [...counts].filter(([, n]) => n > 1).map(([s]) => s);
      const replayed = seen.slice(seenBeforeCrash);
      for (const s of duplicated) {
        expect(replayed).toContain(s);
        expect(s).toBeGreaterThan(beforeCrash - 5000);
      }

      // InfluxDB: every seq up to the highest stored is there (a replayed point is the same
      // point again: same series, same timestamp).
      const highest = await influxCount(influxd.url, database, "SELECT max(seq) FROM signal");
      expect(highest).toBeGreaterThanOrEqual(last);
      expect(await influxCount(influxd.url, database, "SELECT count(distinct(seq)) FROM signal")).toBe(
        highest,
      );

      // One shared log for both sinks (one record per pipeline output), no per-sink folders.
      const outboxFiles = readdirSync(join(dir, "outbox"));
      expect(outboxFiles.some((f) => f.endsWith(".seg"))).toBe(true);
      expect(outboxFiles).toContain("cursors");
      expect(existsSync(join(dir, "outbox", "mqtt"))).toBe(false);
    } finally {
      if (gateway.proc.exitCode === null) gateway.proc.kill("SIGKILL");
      await subscriber.endAsync(true);
      await broker.dispose();
      await influxd.stop();
    }
  });
});
