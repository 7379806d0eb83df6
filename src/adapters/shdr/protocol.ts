// The SHDR protocol's entry in the adapter registry (../registry.ts). Light on
// purpose: the schema is all `check-config` loads; the adapter comes lazily.
import { defineProtocol } from "../protocol.ts";
import { shdrMonitorSchema } from "./config.ts";

export const shdrProtocol = defineProtocol({
  name: "shdr",
  configSchema: shdrMonitorSchema,
  resolvePaths: (monitor, resolve) =>
    monitor.devicesXml === undefined ? monitor : { ...monitor, devicesXml: resolve(monitor.devicesXml) },
  async createAdapters(machines) {
    const { ShdrAdapter } = await import("./adapter.ts");
    // One TCP connection per machine: an SHDR adapter serves exactly one.
    return machines.map((m) => new ShdrAdapter({ machine: m.id, config: m.monitor }));
  },
});
