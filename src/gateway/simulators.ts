import type { Logger } from "pino";
import type { SimulatorEntry } from "../config/schema.ts";

export type RunningSimulator = { describe: string; close(): Promise<void> };

/**
 * Start the in-process simulators of the config (the demo fleet, tests). The
 * simulator registry is loaded only when the config lists one, and each
 * simulator's server code (node-opcua for OPC UA) only when it is started.
 */
export async function startSimulators(
  entries: readonly SimulatorEntry[],
  log: Logger,
): Promise<RunningSimulator[]> {
  if (entries.length === 0) return [];
  const { startSimulator } = await import("../../simulators/registry.ts");
  const running: RunningSimulator[] = [];
  try {
    for (const [i, entry] of entries.entries()) running.push(await startSimulator(entry, i, log));
  } catch (err) {
    await Promise.allSettled(running.map((s) => s.close()));
    throw err;
  }
  return running;
}
