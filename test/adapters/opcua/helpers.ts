// Shared by the OPC UA integration tests: a temp folder per test file, an
// adapter whose readings and log lines are collected, and polling waits.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { type OpcuaSimulator, startOpcuaSimulator } from "../../../simulators/opcua/server.ts";
import { OpcuaAdapter } from "../../../src/adapters/opcua/adapter.ts";
import { type OpcuaMonitorConfig, opcuaMonitorSchema } from "../../../src/adapters/opcua/config.ts";
import type { IntakeControl } from "../../../src/core/contracts.ts";
import type { Reading } from "../../../src/core/observation.ts";
import { waitFor as waitForDefined } from "../../support/ports.ts";

/**
 * One simulated machine without an auto operator (the test drives it), security
 * None, its PKI under `dir`. The restart tests start it twice on one port.
 */
export function startScriptedSimulator(port: number, dir: string): Promise<OpcuaSimulator> {
  return startOpcuaSimulator({
    port,
    machines: 1,
    autoOperator: false,
    pkiDir: `${dir}/sim-pki`,
    securityModes: ["None"],
  });
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `maskinport-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export type LogLine = { level: number; msg: string; [k: string]: unknown };

export type Harness = {
  adapter: OpcuaAdapter;
  readings: Reading[];
  batches: Reading[][];
  logs: LogLine[];
  /** The latest reading of a signal. */
  last(signal: string): Reading | undefined;
  stop(): Promise<void>;
};

/** Fast retry settings: tests wait for reconnects, so keep the backoff short. */
export const FAST = {
  reconnect: { initialMs: 100, maxMs: 500 },
  samplingIntervalMs: 50,
  publishingIntervalMs: 100,
};

export async function startAdapter(
  machine: string,
  monitor: Partial<OpcuaMonitorConfig> & { endpoint: string; pkiDir: string },
  intake?: IntakeControl,
): Promise<Harness> {
  const config = opcuaMonitorSchema.parse({ type: "opcua", ...FAST, ...monitor });
  const readings: Reading[] = [];
  const batches: Reading[][] = [];
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const adapter = new OpcuaAdapter({ machine, config, random: () => 0.5 });
  await adapter.start({
    log: pino({ level: "info" }, sink),
    emit: (batch) => {
      batches.push([...batch]);
      readings.push(...batch);
    },
    ...(intake ? { intake } : {}),
  });
  return {
    adapter,
    readings,
    batches,
    logs,
    last: (signal) => readings.findLast((r) => r.signal === signal),
    stop: () => adapter.stop(),
  };
}

/** test/support's waitFor, where null (e.g. `lastError` before an error) also means "not yet". */
export function waitFor<T>(
  what: string,
  check: () => T | undefined | false | null,
  timeoutMs = 10_000,
): Promise<T> {
  return waitForDefined(
    what,
    () => {
      const v = check();
      return v === null || v === false ? undefined : v;
    },
    timeoutMs,
  );
}
