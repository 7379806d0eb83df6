import type { MonitoredMachine } from "../protocol.ts";
import { OpcuaAdapter } from "./adapter.ts";
import type { OpcuaMonitorConfig } from "./config.ts";

/** One OpcuaAdapter per machine. */
export function createOpcuaAdapters(
  machines: readonly MonitoredMachine<OpcuaMonitorConfig>[],
): OpcuaAdapter[] {
  return machines.map((m) => new OpcuaAdapter({ machine: m.id, config: m.monitor }));
}
