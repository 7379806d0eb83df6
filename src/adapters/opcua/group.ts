import type { MonitoredMachine } from "../protocol.ts";
import { OpcuaAdapter } from "./adapter.ts";
import type { OpcuaMonitorConfig } from "./config.ts";
import { SessionPool } from "./session-pool.ts";

/**
 * One OpcuaAdapter per machine (its own subscription, availability, alarms),
 * all drawing their sessions from one pool: machines on the same server with
 * the same login and security share one client session (session-pool.ts).
 */
export function createOpcuaAdapters(
  machines: readonly MonitoredMachine<OpcuaMonitorConfig>[],
): OpcuaAdapter[] {
  const sessions = new SessionPool();
  return machines.map((m) => new OpcuaAdapter({ machine: m.id, config: m.monitor, sessions }));
}
