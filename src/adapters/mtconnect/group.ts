import { MtconnectAdapter, type MtconnectAdapterOptions } from "./adapter.ts";
import { AGENT_OPTION_KEYS, type MtconnectMonitorConfig } from "./config.ts";

// Config has one `monitor` per machine (DESIGN.md), but one agent often serves
// several machines. Machines naming the same agent URL with the same connection
// options share one adapter, i.e. one /sample stream; machines whose options
// differ get their own connection (nothing is silently overridden).

export type MachineWithMonitor = { id: string; monitor?: { type: string } | undefined };

function isMtconnect(monitor: { type: string } | undefined): monitor is MtconnectMonitorConfig {
  return monitor?.type === "mtconnect";
}

/** Adapter options for every machine with `monitor.type: mtconnect`, grouped per agent connection. */
export function groupMtconnectMonitors(machines: readonly MachineWithMonitor[]): MtconnectAdapterOptions[] {
  const groups = new Map<string, MtconnectAdapterOptions>();
  for (const m of machines) {
    const mon = m.monitor;
    if (!isMtconnect(mon)) continue;
    const connection = Object.fromEntries(AGENT_OPTION_KEYS.map((k) => [k, mon[k]]));
    const key = JSON.stringify(connection);
    let group = groups.get(key);
    if (!group) {
      group = { ...(connection as Omit<MtconnectAdapterOptions, "machines">), machines: [] };
      groups.set(key, group);
    }
    group.machines = [
      ...group.machines,
      { id: m.id, device: mon.device, dataItems: mon.dataItems, unmapped: mon.unmapped },
    ];
  }
  return [...groups.values()];
}

/** One MtconnectAdapter per agent connection (see groupMtconnectMonitors). */
export function createMtconnectAdapters(machines: readonly MachineWithMonitor[]): MtconnectAdapter[] {
  return groupMtconnectMonitors(machines).map((options) => new MtconnectAdapter(options));
}
