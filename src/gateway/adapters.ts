import { createMtconnectAdapters } from "../adapters/mtconnect/group.ts";
import { OpcuaAdapter } from "../adapters/opcua/adapter.ts";
import { ShdrAdapter } from "../adapters/shdr/adapter.ts";
import type { MachineConfig } from "../config/schema.ts";
import type { Adapter } from "../core/contracts.ts";

/**
 * Config → adapter instances. The one place that knows every protocol; each
 * adapter itself knows only its own. Machines without a `monitor` (e.g. a
 * DNC-only machine) get no monitoring adapter.
 */
export function createAdapters(machines: readonly MachineConfig[]): Adapter[] {
  const adapters: Adapter[] = [];
  for (const machine of machines) {
    const monitor = machine.monitor;
    if (!monitor) continue;
    switch (monitor.type) {
      case "shdr":
        adapters.push(new ShdrAdapter({ machine: machine.id, config: monitor }));
        break;
      case "opcua":
        adapters.push(new OpcuaAdapter({ machine: machine.id, config: monitor }));
        break;
      case "mtconnect":
        break; // grouped below: machines on one agent URL share one connection
    }
  }
  adapters.push(...createMtconnectAdapters(machines));
  return adapters;
}
