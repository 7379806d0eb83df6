// Pure mapping from OPC UA companion-spec nodes to the signal catalogue
// (DESIGN.md: each adapter's conversion is a pure function with golden
// tests). Discovery (discovery.ts) browses a machine into `BrowsedNode`s;
// `mapCompanionNodes` turns them into `Binding`s; `decodeValue` turns one
// raw OPC UA value into a catalogue value.
import { type BaseSignalId, indexSignal, type SignalId } from "../../core/signals.ts";
import type { KnownType } from "./companion-types.ts";
import type { Decoder } from "./decode.ts";

export {
  asText,
  combineDecoded,
  DECODERS,
  type Decoded,
  type Decoder,
  decodeBinding,
  decodeValue,
  type RawValue,
} from "./decode.ts";

/** One node of a browsed machine: a flat tree, `parent` indexes into the same list (-1 = the machine root). */
export type BrowsedNode = {
  nodeId: string;
  /** Browse name without the namespace prefix. */
  name: string;
  nodeClass: "Object" | "Variable";
  /** The nearest companion type of the node's type definition (subtypes resolve to their known base). */
  type?: KnownType;
  parent: number;
};

/** A node to monitor and what it means. */
export type Binding = {
  nodeId: string;
  signal: SignalId;
  decode: Decoder;
  /** Readable origin for `source.ref` and logs, e.g. "CncInterface/CncSpindleList/S1/ActSpeed". */
  ref: string;
  /** Lower wins when several nodes could feed one signal (CNC before MachineTool before Production). */
  priority: number;
  /** Explicit-map options (config `nodes`): raw value → catalogue value, then × scale. */
  map?: Readonly<Record<string, string | number | boolean>>;
  scale?: number;
  unit?: string;
};

type Rule = {
  /** Known type of the ancestor `path.length` levels above the variable. */
  at: KnownType;
  /** Browse names from that ancestor down to the variable. */
  path: readonly string[];
  /** A catalogue signal, or "axis" for `axis.<ancestor name>.position`. */
  signal: BaseSignalId | "axis";
  decode: Decoder;
  priority: number;
  /** Several instances of `at` (spindles, channels) → spindle.2.speed …; "first" keeps only the first. */
  instances: "indexed" | "first";
};

// Priorities: 1 = CNC interface (40502, the most precise), 2 = MachineTool
// monitoring (40501), 3 = MachineTool production (program state, jobs).
const RULES: readonly Rule[] = [
  {
    at: "CncSpindleType",
    path: ["ActSpeed"],
    signal: "spindle.speed",
    decode: "number",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "CncSpindleType",
    path: ["CmdSpeed"],
    signal: "spindle.speed.cmd",
    decode: "number",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "CncSpindleType",
    path: ["ActLoad"],
    signal: "spindle.load",
    decode: "number",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "CncSpindleType",
    path: ["ActOverride"],
    signal: "spindle.override",
    decode: "number",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "SpindleMonitoringType",
    path: ["Override"],
    signal: "spindle.override",
    decode: "number",
    priority: 2,
    instances: "indexed",
  },
  {
    at: "CncChannelType",
    path: ["ActProgramStatus"],
    signal: "execution",
    decode: "cncProgramStatus",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "CncChannelType",
    path: ["FeedHold"],
    signal: "execution",
    decode: "cncFeedHold",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "CncChannelType",
    path: ["ActOperationMode"],
    signal: "mode",
    decode: "cncOperationMode",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "CncChannelType",
    path: ["ActMainProgramName"],
    signal: "program.name",
    decode: "text",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "CncChannelType",
    path: ["ActMainProgramLine"],
    signal: "program.line",
    decode: "integer",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "CncChannelType",
    path: ["ActFeedrate"],
    signal: "feed.rate",
    decode: "number",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "CncChannelType",
    path: ["ActOverride"],
    signal: "feed.override",
    decode: "number",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "CncChannelType",
    path: ["ToolId"],
    signal: "tool.number",
    decode: "number",
    priority: 1,
    instances: "indexed",
  },
  {
    at: "ChannelMonitoringType",
    path: ["ChannelState"],
    signal: "execution",
    decode: "channelState",
    priority: 2,
    instances: "indexed",
  },
  {
    at: "ChannelMonitoringType",
    path: ["ChannelMode"],
    signal: "mode",
    decode: "channelMode",
    priority: 2,
    instances: "indexed",
  },
  {
    at: "ChannelMonitoringType",
    path: ["FeedOverride"],
    signal: "feed.override",
    decode: "number",
    priority: 2,
    instances: "indexed",
  },
  {
    at: "ChannelMonitoringType",
    path: ["RapidOverride"],
    signal: "rapid.override",
    decode: "number",
    priority: 2,
    instances: "indexed",
  },
  {
    at: "MachineOperationMonitoringType",
    path: ["OperationMode"],
    signal: "mode",
    decode: "machineOperationMode",
    priority: 3,
    instances: "first",
  },
  {
    at: "ProductionActiveProgramType",
    path: ["Name"],
    signal: "program.name",
    decode: "text",
    priority: 3,
    instances: "first",
  },
  {
    at: "ProductionActiveProgramType",
    path: ["State", "CurrentState"],
    signal: "execution",
    decode: "productionProgramState",
    priority: 3,
    instances: "first",
  },
  {
    at: "ProductionJobType",
    path: ["PartsCompleted"],
    signal: "part.count",
    decode: "number",
    priority: 2,
    instances: "first",
  },
  {
    at: "ProductionJobType",
    path: ["RunsCompleted"],
    signal: "part.count",
    decode: "number",
    priority: 3,
    instances: "first",
  },
  {
    at: "CncAxisType",
    path: ["PosIndirect", "ActPos"],
    signal: "axis",
    decode: "number",
    priority: 1,
    instances: "indexed",
  },
];

const AXES = new Set(["x", "y", "z", "a", "b", "c"]);

function pathOf(nodes: readonly BrowsedNode[], index: number): string {
  const names: string[] = [];
  for (let i = index; i >= 0; i = nodes[i]?.parent ?? -1) names.unshift(nodes[i]?.name ?? "?");
  return names.join("/");
}

/** The ancestor `levels` above node `index` if the names on the way match `path`, else -1. */
function matchUp(nodes: readonly BrowsedNode[], index: number, path: readonly string[]): number {
  let i = index;
  for (let k = path.length - 1; k >= 0; k--) {
    const node = nodes[i];
    if (!node || node.name !== path[k]) return -1;
    i = node.parent;
  }
  return i;
}

/**
 * Bindings for a browsed machine. Spindles and channels are numbered in
 * browse-path order (1 stays unindexed: `spindle.speed`, then
 * `spindle.2.speed`); for every signal the lowest priority wins, and all
 * bindings of that priority are kept (ActProgramStatus + FeedHold together
 * make `execution`).
 */
export function mapCompanionNodes(nodes: readonly BrowsedNode[]): Binding[] {
  const ordinals = new Map<number, number>();
  const counters = new Map<KnownType, number>();
  const order = nodes.map((_, i) => i).sort((a, b) => pathOf(nodes, a).localeCompare(pathOf(nodes, b)));
  for (const i of order) {
    const type = nodes[i]?.type;
    if (!type) continue;
    const n = (counters.get(type) ?? 0) + 1;
    counters.set(type, n);
    ordinals.set(i, n);
  }

  const candidates: Binding[] = [];
  nodes.forEach((node, i) => {
    if (node.nodeClass !== "Variable") return;
    for (const rule of RULES) {
      if (rule.path[rule.path.length - 1] !== node.name) continue;
      const at = matchUp(nodes, i, rule.path);
      const owner = nodes[at];
      if (!owner || owner.type !== rule.at) continue;
      const ordinal = ordinals.get(at) ?? 1;
      let signal: SignalId;
      if (rule.signal === "axis") {
        const axis = owner.name.toLowerCase();
        if (!AXES.has(axis)) continue;
        signal = `axis.${axis}.position` as SignalId;
      } else {
        if (rule.instances === "first" && ordinal > 1) continue;
        signal = rule.instances === "indexed" ? indexSignal(rule.signal, ordinal) : rule.signal;
      }
      candidates.push({
        nodeId: node.nodeId,
        signal,
        decode: rule.decode,
        ref: pathOf(nodes, i),
        priority: rule.priority,
      });
    }
  });

  const best = new Map<SignalId, number>();
  for (const c of candidates) best.set(c.signal, Math.min(best.get(c.signal) ?? c.priority, c.priority));
  return candidates
    .filter((c) => best.get(c.signal) === c.priority)
    .sort((a, b) => a.signal.localeCompare(b.signal) || a.ref.localeCompare(b.ref));
}
