export { MTCONNECT_SIM_USAGE, parseMtconnectSimulatorArgs, runMtconnectSimulatorCli } from "./cli.ts";
export { type MtconnectSimulatorConfig, mtconnectSimulatorSchema } from "./config.ts";
export type { SimDataItem, SimDevice } from "./device-model.ts";
export type { SchemaVersion } from "./documents.ts";
export type { FaultKind, FaultTarget } from "./faults.ts";
export {
  type MtconnectFaults,
  type MtconnectSimulator,
  type MtconnectSimulatorOptions,
  startMtconnectSimulator,
} from "./simulator.ts";
