// The companion-specification types the adapter recognises, by namespace URI
// and numeric id. The ids are the ones fixed in the published nodesets
// (OPC 40501-1 MachineTool, OPC 40502 CNC), so they are the same on every
// server; only the namespace *index* differs and is looked up per session.

export const NS_MACHINE_TOOL = "http://opcfoundation.org/UA/MachineTool/";
export const NS_CNC = "http://opcfoundation.org/UA/CNC";
export const NS_MACHINERY = "http://opcfoundation.org/UA/Machinery/";
export const NS_DI = "http://opcfoundation.org/UA/DI/";

export const KNOWN_TYPES = {
  // OPC 40501-1 MachineTool
  MachineToolType: { ns: NS_MACHINE_TOOL, id: 13 },
  MonitoringType: { ns: NS_MACHINE_TOOL, id: 14 },
  MachineOperationMonitoringType: { ns: NS_MACHINE_TOOL, id: 26 },
  SpindleMonitoringType: { ns: NS_MACHINE_TOOL, id: 22 },
  ChannelMonitoringType: { ns: NS_MACHINE_TOOL, id: 16 },
  ProductionType: { ns: NS_MACHINE_TOOL, id: 21 },
  ProductionActiveProgramType: { ns: NS_MACHINE_TOOL, id: 32 },
  ProductionJobListType: { ns: NS_MACHINE_TOOL, id: 30 },
  ProductionJobType: { ns: NS_MACHINE_TOOL, id: 29 },
  NotificationType: { ns: NS_MACHINE_TOOL, id: 7 },
  MachineToolIdentificationType: { ns: NS_MACHINE_TOOL, id: 11 },
  AlertType: { ns: NS_MACHINE_TOOL, id: 39 },
  NotificationEventType: { ns: NS_MACHINE_TOOL, id: 35 },
  // OPC 40502 CNC Systems
  CncInterfaceType: { ns: NS_CNC, id: 1007 },
  CncChannelListType: { ns: NS_CNC, id: 1010 },
  CncSpindleListType: { ns: NS_CNC, id: 1009 },
  CncAxisListType: { ns: NS_CNC, id: 1008 },
  CncChannelType: { ns: NS_CNC, id: 1002 },
  CncSpindleType: { ns: NS_CNC, id: 1005 },
  CncAxisType: { ns: NS_CNC, id: 1004 },
  CncPositionVariableType: { ns: NS_CNC, id: 2001 },
  CncAlarmType: { ns: NS_CNC, id: 1006 },
  CncMessageType: { ns: NS_CNC, id: 1011 },
} as const;

export type KnownType = keyof typeof KNOWN_TYPES;

/** Types whose instances are machines: discovery looks for these. */
export const MACHINE_ROOT_TYPES: readonly KnownType[] = ["MachineToolType", "CncInterfaceType"];

/** Standard (namespace 0) ids the adapter needs. */
export const UA = {
  ObjectsFolder: "i=85",
  Server: "i=2253",
  BaseObjectType: "i=58",
  BaseDataVariableType: "i=63",
  BaseVariableType: "i=62",
  FolderType: "i=61",
  ConditionType: "i=2782",
  ConditionRefresh: "i=3875",
  RefreshStartEventType: "i=2787",
  RefreshEndEventType: "i=2788",
  /** Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall */
  MaxMonitoredItemsPerCall: "i=11714",
  NamespaceArray: "i=2255",
} as const;

/**
 * A node id as comparable text: node-opcua writes namespace 0 as "ns=0;i=85",
 * the spec (and our constants) as "i=85". Every map key and comparison uses this.
 */
export function nodeIdText(id: { toString(): string } | string | null | undefined): string {
  const text = id === null || id === undefined ? "" : String(id);
  return text.startsWith("ns=0;") ? text.slice(5) : text;
}
