export { MtconnectAdapter, type MtconnectAdapterOptions, type MtconnectStats } from "./adapter.ts";
export type { MachineBindingConfig } from "./bindings.ts";
export { type MtconnectMonitorConfig, mtconnectMonitorSchema } from "./config.ts";
export { convertDocument, convertObservation } from "./convert.ts";
export { createMtconnectAdapters, groupMtconnectMonitors } from "./group.ts";
