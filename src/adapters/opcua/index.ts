// The OPC UA adapter's public surface (README.md in this folder).
export { OpcuaAdapter, type OpcuaAdapterOptions, type OpcuaAdapterState } from "./adapter.ts";
export { runOpcuaCli } from "./cli.ts";
export {
  OPCUA_SECURITY_MODES,
  OPCUA_SECURITY_POLICIES,
  type OpcuaMonitorConfig,
  type OpcuaNodeConfig,
  opcuaMonitorSchema,
} from "./config.ts";
export { type Binding, type BrowsedNode, decodeValue, mapCompanionNodes } from "./convert.ts";
export { classifyEvent } from "./event-convert.ts";
export { listCertificates, trustCertificate } from "./pki.ts";
