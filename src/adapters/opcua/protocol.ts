// The OPC UA protocol's entry in the adapter registry (../registry.ts). Light
// on purpose: node-opcua takes about a second to load, and `check-config`
// must not pay for it, so the adapter is reached only through the dynamic
// import in createAdapters.
import { defineProtocol } from "../protocol.ts";
import { opcuaMonitorSchema } from "./config.ts";

export const opcuaProtocol = defineProtocol({
  name: "opcua",
  configSchema: opcuaMonitorSchema,
  resolvePaths: (monitor, resolve) => ({ ...monitor, pkiDir: resolve(monitor.pkiDir) }),
  async createAdapters(machines, { log }) {
    const { createOpcuaAdapters } = await import("./group.ts");
    const { routeNodeOpcuaLogs } = await import("./node-opcua-log.ts");
    // node-opcua's console output goes into our log (process-wide; the first logger wins).
    routeNodeOpcuaLogs(log);
    // Machines on one server (same endpoint and login) share one client session: group.ts.
    return createOpcuaAdapters(machines);
  },
});
