// The MTConnect protocol's entry in the adapter registry (../registry.ts).
// Light on purpose: the schema is all `check-config` loads; the adapter comes lazily.
import { defineProtocol } from "../protocol.ts";
import { mtconnectMonitorSchema } from "./config.ts";

export const mtconnectProtocol = defineProtocol({
  name: "mtconnect",
  configSchema: mtconnectMonitorSchema,
  async createAdapters(machines) {
    const { createMtconnectAdapters } = await import("./group.ts");
    // Machines on one agent URL share one adapter (one /sample stream): group.ts.
    return createMtconnectAdapters(machines);
  },
});
