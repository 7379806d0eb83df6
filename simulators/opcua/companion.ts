// One simulated machine as a umati-style companion address space:
// a MachineToolType instance (OPC 40501-1) in the Machinery "Machines"
// folder, with a CNC interface (OPC 40502) as a component, rendered from the
// shared machine model's state.
import {
  type AddressSpace,
  DataType,
  type Namespace,
  promoteToStateMachine,
  type UAObject,
  type UAObjectType,
} from "node-opcua";
import type { ControllerMode, Execution } from "../../src/core/signals.ts";
import type { ModelChange } from "../model/clock.ts";
import type { MachineKind, ModelState } from "../model/machine-model.ts";
import { childObject, childVariable, type Field, fieldWriter } from "./nodes.ts";

export const NS_MACHINE_TOOL = "http://opcfoundation.org/UA/MachineTool/";
export const NS_CNC = "http://opcfoundation.org/UA/CNC";
export const NS_MACHINERY = "http://opcfoundation.org/UA/Machinery/";

/** What the server needs from a machine's address space, whatever its flavour (companion or plain). */
export type SimMachineNodes = {
  /** The object clients browse to: the MachineTool instance or the plain folder. */
  root: UAObject;
  /** Source of the machine's alarm conditions (an event source below `root`). */
  conditionSource: UAObject;
  /** Where operator messages are raised as events. */
  messageSource: UAObject;
  render(state: ModelState, change: ModelChange, ts: Date): void;
};

// Model vocabulary → companion-spec enumerations (the adapter maps them back).
const CNC_PROGRAM_STATUS: Record<Execution, number> = {
  READY: 0, // Stopped
  PROGRAM_COMPLETED: 0,
  ACTIVE: 1, // Running
  WAIT: 2, // Waiting
  INTERRUPTED: 3, // Interrupted
  FEED_HOLD: 3,
  PROGRAM_STOPPED: 3,
  OPTIONAL_STOP: 3,
  STOPPED: 4, // Canceled
};
const CNC_OPERATION_MODE: Record<ControllerMode, number> = {
  MANUAL: 0,
  EDIT: 0,
  MANUAL_DATA_INPUT: 1,
  AUTOMATIC: 2,
  SEMI_AUTOMATIC: 2,
};
const CHANNEL_STATE: Record<Execution, number> = {
  ACTIVE: 0, // Active
  FEED_HOLD: 1, // Interrupted
  INTERRUPTED: 1,
  PROGRAM_STOPPED: 1,
  OPTIONAL_STOP: 1,
  WAIT: 1,
  READY: 2, // Reset
  PROGRAM_COMPLETED: 2,
  STOPPED: 2,
};
const CHANNEL_MODE: Record<ControllerMode, number> = {
  AUTOMATIC: 0,
  MANUAL_DATA_INPUT: 1,
  MANUAL: 2,
  EDIT: 7,
  SEMI_AUTOMATIC: 0,
};
const MACHINE_OPERATION_MODE: Record<ControllerMode, number> = {
  MANUAL: 0,
  AUTOMATIC: 1,
  EDIT: 2, // Setup
  MANUAL_DATA_INPUT: 0,
  SEMI_AUTOMATIC: 3,
};
const PROGRAM_STATE: Record<Execution, string> = {
  READY: "Initializing",
  ACTIVE: "Running",
  WAIT: "Running",
  FEED_HOLD: "Interrupted",
  INTERRUPTED: "Interrupted",
  PROGRAM_STOPPED: "Interrupted",
  OPTIONAL_STOP: "Interrupted",
  PROGRAM_COMPLETED: "Ended",
  STOPPED: "Aborted",
};

function objectType(addressSpace: AddressSpace, nsUri: string, name: string): UAObjectType {
  const type = addressSpace.findObjectType(name, addressSpace.getNamespaceIndex(nsUri));
  if (!type) throw new Error(`simulator: companion type ${name} (${nsUri}) is not loaded`);
  return type;
}

export function buildCompanionMachine(
  addressSpace: AddressSpace,
  own: Namespace,
  machine: { id: string; kind: MachineKind; serial: string },
): SimMachineNodes {
  const type = (ns: string, name: string) => objectType(addressSpace, ns, name);
  const machinesFolder = addressSpace.findNode(
    `ns=${addressSpace.getNamespaceIndex(NS_MACHINERY)};i=1001`,
  ) as UAObject;

  const root = type(NS_MACHINE_TOOL, "MachineToolType").instantiate({
    browseName: machine.id,
    organizedBy: machinesFolder,
    optionals: ["Notification.Messages", "Production.ProductionPlan", "Identification.Model"],
  }) as UAObject;
  own.addressSpace.rootFolder.objects.server.addReference({ referenceType: "HasNotifier", nodeId: root });
  root.setEventNotifier(1);

  // Identification (read once by clients; constant).
  const ident = childObject(root, "Identification");
  const setConst = (name: string, dataType: DataType, value: unknown) =>
    childVariable(ident, name).setValueFromSource({ dataType, value });
  setConst("Manufacturer", DataType.LocalizedText, { text: "Maskinport simulator" });
  setConst("Model", DataType.LocalizedText, {
    text: machine.kind === "lathe" ? "SIM-LATHE 2X" : "SIM-MILL 3X",
  });
  setConst("SerialNumber", DataType.String, machine.serial);
  setConst("ProductInstanceUri", DataType.String, `urn:maskinport:sim:${machine.id}`);

  // Monitoring (40501): one spindle and one channel.
  const monitoring = childObject(root, "Monitoring");
  const spindleMon = type(NS_MACHINE_TOOL, "SpindleMonitoringType").instantiate({
    browseName: { namespaceIndex: own.index, name: "Spindle" },
    componentOf: monitoring,
    optionals: ["Override"],
  });
  const channelMon = type(NS_MACHINE_TOOL, "ChannelMonitoringType").instantiate({
    browseName: { namespaceIndex: own.index, name: "Channel1" },
    componentOf: monitoring,
    optionals: ["RapidOverride"],
  });
  childVariable(spindleMon, "Name").setValueFromSource({ dataType: DataType.String, value: "S1" });
  childVariable(channelMon, "Name").setValueFromSource({ dataType: DataType.String, value: "Channel1" });

  // Production (40501): the active program and one job whose counters follow the part count.
  const activeProgram = childObject(root, "Production", "ActiveProgram");
  const programState = promoteToStateMachine(childObject(activeProgram, "State"));
  const job = type(NS_MACHINE_TOOL, "ProductionJobType").instantiate({
    browseName: { namespaceIndex: own.index, name: "Job1" },
    componentOf: childObject(root, "Production", "ProductionPlan"),
    optionals: ["PartsCompleted"],
  });
  childVariable(job, "Identifier").setValueFromSource({
    dataType: DataType.String,
    value: `${machine.id}-job-1`,
  });
  childVariable(job, "RunsPlanned").setValueFromSource({ dataType: DataType.UInt32, value: 0 });

  // CNC interface (40502), as a component of the machine so that discovery finds both together.
  const cnc = type(NS_CNC, "CncInterfaceType").instantiate({
    browseName: { namespaceIndex: own.index, name: "CncInterface" },
    componentOf: root,
  }) as UAObject;
  childVariable(cnc, "VendorName").setValueFromSource({ dataType: DataType.String, value: "Maskinport" });
  childVariable(cnc, "Version").setValueFromSource({ dataType: DataType.String, value: "1.0" });
  const spindle = type(NS_CNC, "CncSpindleType").instantiate({
    browseName: { namespaceIndex: own.index, name: "S1" },
    componentOf: childObject(cnc, "CncSpindleList"),
  });
  const channel = type(NS_CNC, "CncChannelType").instantiate({
    browseName: { namespaceIndex: own.index, name: "Channel1" },
    componentOf: childObject(cnc, "CncChannelList"),
    optionals: ["ActMainProgramLine"],
  });
  const axes = (["X", "Y", "Z"] as const).map((name) =>
    type(NS_CNC, "CncAxisType").instantiate({
      browseName: { namespaceIndex: own.index, name },
      componentOf: childObject(cnc, "CncAxisList"),
    }),
  );
  // Event hierarchy (Part 3): Server → machine → CNC interface (alarm source) and Messages.
  const messages = childObject(root, "Notification", "Messages");
  root.addReference({ referenceType: "HasEventSource", nodeId: cnc });
  root.addReference({ referenceType: "HasNotifier", nodeId: messages });
  cnc.setEventNotifier(1);

  const v = (node: UAObject | ReturnType<UAObjectType["instantiate"]>, ...path: string[]) =>
    childVariable(node, ...path);
  const fields: Field<ModelState>[] = [
    { variable: v(spindle, "ActSpeed"), dataType: DataType.Double, value: (s) => s.spindleSpeed },
    { variable: v(spindle, "CmdSpeed"), dataType: DataType.Double, value: (s) => s.spindleSpeedCmd },
    { variable: v(spindle, "ActLoad"), dataType: DataType.Double, value: (s) => s.spindleLoad },
    { variable: v(spindle, "ActOverride"), dataType: DataType.Double, value: (s) => s.spindleOverride },
    { variable: v(spindle, "ActStatus"), dataType: DataType.Int32, value: spindleStatus },
    { variable: v(spindleMon, "IsRotating"), dataType: DataType.Boolean, value: (s) => s.spindleSpeed > 0 },
    { variable: v(spindleMon, "Override"), dataType: DataType.Double, value: (s) => s.spindleOverride },
    {
      variable: v(channel, "ActProgramStatus"),
      dataType: DataType.Int32,
      value: (s) => CNC_PROGRAM_STATUS[s.execution],
    },
    {
      variable: v(channel, "FeedHold"),
      dataType: DataType.Boolean,
      value: (s) => s.execution === "FEED_HOLD",
    },
    {
      variable: v(channel, "ActOperationMode"),
      dataType: DataType.Int32,
      value: (s) => CNC_OPERATION_MODE[s.mode],
    },
    { variable: v(channel, "ActMainProgramName"), dataType: DataType.String, value: (s) => s.program ?? "" },
    { variable: v(channel, "ActMainProgramLine"), dataType: DataType.String, value: (s) => String(s.line) },
    { variable: v(channel, "ActFeedrate"), dataType: DataType.Double, value: (s) => s.feedRate },
    { variable: v(channel, "ActOverride"), dataType: DataType.Double, value: (s) => s.feedOverride },
    { variable: v(channel, "ToolId"), dataType: DataType.UInt32, value: (s) => s.tool },
    {
      variable: v(channelMon, "ChannelState"),
      dataType: DataType.Int32,
      value: (s) => CHANNEL_STATE[s.execution],
    },
    { variable: v(channelMon, "ChannelMode"), dataType: DataType.Int32, value: (s) => CHANNEL_MODE[s.mode] },
    { variable: v(channelMon, "FeedOverride"), dataType: DataType.Double, value: (s) => s.feedOverride },
    { variable: v(channelMon, "RapidOverride"), dataType: DataType.Double, value: (s) => s.rapidOverride },
    {
      variable: v(root, "Monitoring", "MachineTool", "OperationMode"),
      dataType: DataType.Int32,
      value: (s) => MACHINE_OPERATION_MODE[s.mode],
    },
    { variable: v(activeProgram, "Name"), dataType: DataType.String, value: (s) => s.program ?? "" },
    { variable: v(job, "RunsCompleted"), dataType: DataType.UInt32, value: (s) => s.partCount },
    { variable: v(job, "PartsCompleted"), dataType: DataType.UInt32, value: (s) => s.partCount },
    ...axes.map(
      (axis, i): Field<ModelState> => ({
        variable: v(axis, "PosIndirect", "ActPos"),
        dataType: DataType.Double,
        value: (s) => [s.axes.x, s.axes.y, s.axes.z][i] ?? 0,
      }),
    ),
  ];

  const write = fieldWriter(fields);
  let lastProgramState = "";
  return {
    root,
    conditionSource: cnc,
    messageSource: messages,
    render(state, _change, ts) {
      // A powered-off control answers nothing: its values are unknown, not zero.
      write(state, state.power, ts);
      const next = PROGRAM_STATE[state.execution];
      if (next !== lastProgramState) {
        programState.setState(next);
        lastProgramState = next;
      }
    },
  };
}

/** CncSpindleStatus: Stopped 0, InTargetArea 1, Accelerating 2, Decelerating 3. */
function spindleStatus(s: ModelState): number {
  if (s.spindleSpeed === 0 && s.spindleSpeedCmd === 0) return 0;
  const target = (s.spindleSpeedCmd * s.spindleOverride) / 100;
  if (Math.abs(s.spindleSpeed - target) <= Math.max(5, target * 0.02)) return 1;
  return s.spindleSpeed < target ? 2 : 3;
}
