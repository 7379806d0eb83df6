import type { Logger } from "pino";
import type { MonitoredMachine } from "../adapters/protocol.ts";
import { type MonitorConfig, registeredProtocols } from "../adapters/registry.ts";
import type { Adapter } from "../core/contracts.ts";

/**
 * Config → adapter instances, by looping over the adapter registry
 * (src/adapters/registry.ts): each protocol gets all of its machines at once
 * (machines on one agent or server share a connection), and its code is
 * loaded only when a machine uses it. Machines without a `monitor` (e.g. a
 * DNC-only machine) get no monitoring adapter.
 */
export async function createAdapters(
  machines: readonly { id: string; monitor?: MonitorConfig | undefined }[],
  log: Logger,
): Promise<Adapter[]> {
  const adapters: Adapter[] = [];
  for (const protocol of registeredProtocols()) {
    const mine: MonitoredMachine<{ type: string }>[] = [];
    for (const m of machines) {
      if (m.monitor?.type === protocol.name) mine.push({ id: m.id, monitor: m.monitor });
    }
    if (mine.length > 0) adapters.push(...(await protocol.createAdapters(mine, { log })));
  }
  return adapters;
}
