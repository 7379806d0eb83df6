// One simulated machine the way an older control or a PLC exposes it: plain
// variables in a folder, string node ids, no companion types. The adapter
// needs an explicit node map for it (`monitor.nodes`). Node ids are
// `ns=<own>;s=<machine>.<signal>`, e.g. `ns=1;s=lathe-1.spindle.speed`.
import { DataType, type Namespace, type UAObject } from "node-opcua";
import { EXECUTION_VALUES } from "../../src/core/signals.ts";
import type { ModelState } from "../model/machine-model.ts";
import type { SimMachineNodes } from "./companion.ts";
import { type Field, fieldWriter, type SimValue } from "./nodes.ts";

type PlainSignal = { signal: string; dataType: DataType; value: (s: ModelState) => SimValue };

/** The variables of a plain machine, named by catalogue signal; enumerations are strings as MTConnect spells them. */
export const PLAIN_SIGNALS: readonly PlainSignal[] = [
  { signal: "execution", dataType: DataType.String, value: (s) => s.execution },
  { signal: "mode", dataType: DataType.String, value: (s) => s.mode },
  { signal: "program.name", dataType: DataType.String, value: (s) => s.program ?? "" },
  { signal: "program.line", dataType: DataType.Int32, value: (s) => s.line },
  { signal: "part.count", dataType: DataType.UInt32, value: (s) => s.partCount },
  { signal: "spindle.speed", dataType: DataType.Double, value: (s) => s.spindleSpeed },
  { signal: "spindle.speed.cmd", dataType: DataType.Double, value: (s) => s.spindleSpeedCmd },
  { signal: "spindle.load", dataType: DataType.Double, value: (s) => s.spindleLoad },
  { signal: "spindle.override", dataType: DataType.Double, value: (s) => s.spindleOverride },
  { signal: "feed.rate", dataType: DataType.Double, value: (s) => s.feedRate },
  { signal: "feed.override", dataType: DataType.Double, value: (s) => s.feedOverride },
  { signal: "rapid.override", dataType: DataType.Double, value: (s) => s.rapidOverride },
  { signal: "axis.x.position", dataType: DataType.Double, value: (s) => s.axes.x },
  { signal: "axis.y.position", dataType: DataType.Double, value: (s) => s.axes.y },
  { signal: "axis.z.position", dataType: DataType.Double, value: (s) => s.axes.z },
  { signal: "tool.number", dataType: DataType.UInt32, value: (s) => s.tool },
  { signal: "emergency_stop", dataType: DataType.String, value: (s) => s.estop },
  { signal: "power", dataType: DataType.Boolean, value: (s) => s.power },
  // A PLC-style number instead of text (index into EXECUTION_VALUES): an explicit map's `map:` turns it back.
  { signal: "execution.code", dataType: DataType.Int32, value: (s) => EXECUTION_VALUES.indexOf(s.execution) },
];

export function plainNodeId(namespace: Namespace, machineId: string, signal: string): string {
  return `ns=${namespace.index};s=${machineId}.${signal}`;
}

export function buildPlainMachine(namespace: Namespace, machineId: string): SimMachineNodes {
  const addressSpace = namespace.addressSpace;
  const root = namespace.addFolder(addressSpace.rootFolder.objects, {
    browseName: machineId,
    nodeId: `s=${machineId}`,
  }) as UAObject;
  addressSpace.rootFolder.objects.server.addReference({ referenceType: "HasNotifier", nodeId: root });
  root.setEventNotifier(1);
  addressSpace.rootFolder.objects.server.addReference({ referenceType: "HasEventSource", nodeId: root });

  const fields: Field<ModelState>[] = PLAIN_SIGNALS.map((p) => ({
    dataType: p.dataType,
    value: p.value,
    variable: namespace.addVariable({
      componentOf: root,
      browseName: p.signal,
      nodeId: `s=${machineId}.${p.signal}`,
      dataType: p.dataType,
      minimumSamplingInterval: 50,
    }),
  }));
  const write = fieldWriter(fields);
  return {
    root,
    conditionSource: root,
    messageSource: root,
    // The `power` variable stays readable when the machine is off (a PLC outlives the control).
    render: (state, _change, ts) => write(state, true, ts),
  };
}
