import { type BaseSignalId, indexSignal, type SignalId, signalSpec } from "../../core/signals.ts";
import type { MtDataItem, MtDevice } from "./devices.ts";
import { unitScale } from "./units.ts";

// MTConnect DataItem (type, subType, category, carrying component) → signal
// catalogue. Shared by the SHDR and the MTConnect agent adapters; what is not
// mapped here flows as raw.<key> in the adapter, never dropped.
//
// Index rule (multi-spindle / multi-path machines): the number at the end of
// the carrying component's name, so the machine's own numbering survives —
// Okuma Rotary "C1"/"C2"/"C6" carry S1speed/S2speed/S6speed → spindle.speed,
// spindle.2.speed, spindle.6.speed; Path "path" or "P1" → 1, "path2" → 2. A
// name without a number is index 1. Index 1 is never written (spindle.speed).
// `mapDeviceDataItems` resolves clashes (two unnumbered spindles: the later
// one takes the next free index).

export type SignalMapping = {
  signal: SignalId;
  /** Catalogue unit of the signal, when it has one. */
  unit?: string;
  /** Multiply numeric values by this to get the catalogue unit (absent = 1). */
  scale?: number;
};

export type CatalogOptions = {
  /**
   * Which unit the values arrive in. An agent's streams report `units`; an
   * SHDR adapter sends `nativeUnits` and the agent converts (cppagent's unit
   * conversion), e.g. Okuma's p1Fact is mm/min on SHDR but mm/s in /current.
   */
  valueUnits?: "units" | "nativeUnits";
};

/** How an item is indexed: by the spindle (Rotary) or path it sits on, or not at all. */
type IndexKind = "spindle" | "path" | "none";

type Rule = {
  base: BaseSignalId;
  index: IndexKind;
  /** Lower wins when several items of one device want the same signal. */
  rank: number;
};

const ANY_ACTUAL = new Set([undefined, "ACTUAL"]);
const COMMANDED_RANK: Record<string, number> = { COMMANDED: 0, PROGRAMMED: 1 };

function axisLetter(item: MtDataItem, letters: string): string | undefined {
  const m = /^([A-Za-z])\d*$/.exec(item.componentName ?? "");
  const letter = m?.[1]?.toLowerCase();
  return letter !== undefined && letters.includes(letter) ? letter : undefined;
}

function isOverride(item: MtDataItem): boolean {
  return item.subType === "OVERRIDE" || item.units === "PERCENT";
}

/** The mapping rule for one item, independent of the rest of the device. */
function ruleFor(item: MtDataItem): Rule | undefined {
  if (item.category === "CONDITION") return { base: "alarm", index: "none", rank: 0 };
  const sub = item.subType;
  const onRotary = item.component === "Rotary";
  switch (item.type) {
    case "AVAILABILITY":
      // Device-level availability describes the machine; a component's only itself.
      return { base: "availability", index: "none", rank: item.component === "Device" ? 0 : 1 };
    case "EXECUTION":
      return { base: "execution", index: "path", rank: 0 };
    case "CONTROLLER_MODE":
      return { base: "mode", index: "path", rank: 0 };
    case "PROGRAM":
      if (sub === undefined || sub === "MAIN") return { base: "program.name", index: "path", rank: 0 };
      if (sub === "ACTIVE") return { base: "program.name", index: "path", rank: 1 };
      return undefined;
    case "LINE":
      return { base: "program.line", index: "path", rank: 0 };
    case "LINE_NUMBER":
      if (sub === "INCREMENTAL") return undefined;
      return { base: "program.line", index: "path", rank: sub === "ABSOLUTE" ? 0 : 1 };
    case "BLOCK_NUMBER":
      return { base: "program.line", index: "path", rank: 2 };
    case "PART_COUNT":
      if (sub === undefined || sub === "ALL") return { base: "part.count", index: "path", rank: 0 };
      if (sub === "GOOD") return { base: "part.count", index: "path", rank: 1 };
      return undefined;
    case "SPINDLE_SPEED": // MTConnect 1.1–1.2 name of ROTARY_VELOCITY
    case "ROTARY_VELOCITY":
      if (!onRotary) return undefined;
      if (isOverride(item)) return { base: "spindle.override", index: "spindle", rank: 1 };
      if (ANY_ACTUAL.has(sub)) return { base: "spindle.speed", index: "spindle", rank: 0 };
      if (sub !== undefined && sub in COMMANDED_RANK) {
        return { base: "spindle.speed.cmd", index: "spindle", rank: COMMANDED_RANK[sub] ?? 0 };
      }
      return undefined;
    case "ROTARY_VELOCITY_OVERRIDE":
      return { base: "spindle.override", index: "spindle", rank: 0 };
    case "LOAD":
      // Linear axes' load has no catalogue signal: it flows as raw.<key>.
      return onRotary ? { base: "spindle.load", index: "spindle", rank: 0 } : undefined;
    case "PATH_FEEDRATE":
      if (isOverride(item) || sub === "RAPID") {
        // MTConnect 1.1: PATH_FEEDRATE in PERCENT (subType OVERRIDE / RAPID) was the override.
        return sub === "RAPID"
          ? { base: "rapid.override", index: "path", rank: 1 }
          : { base: "feed.override", index: "path", rank: 1 };
      }
      return ANY_ACTUAL.has(sub) ? { base: "feed.rate", index: "path", rank: 0 } : undefined;
    case "PATH_FEEDRATE_OVERRIDE":
      if (sub === undefined || sub === "PROGRAMMED" || sub === "OVERRIDE")
        return { base: "feed.override", index: "path", rank: 0 };
      if (sub === "RAPID") return { base: "rapid.override", index: "path", rank: 0 };
      return undefined; // JOG
    case "POSITION": {
      if (item.component !== "Linear" || item.category !== "SAMPLE" || !ANY_ACTUAL.has(sub)) return undefined;
      const l = axisLetter(item, "xyz");
      return l ? { base: `axis.${l}.position` as BaseSignalId, index: "none", rank: 0 } : undefined;
    }
    case "ANGLE": {
      if (!onRotary || item.category !== "SAMPLE" || !ANY_ACTUAL.has(sub)) return undefined;
      const l = axisLetter(item, "abc");
      return l ? { base: `axis.${l}.position` as BaseSignalId, index: "none", rank: 0 } : undefined;
    }
    case "TOOL_NUMBER":
      return { base: "tool.number", index: "path", rank: 0 };
    case "TOOL_ID": // deprecated 1.x name
      return { base: "tool.number", index: "path", rank: 1 };
    case "TOOL_ASSET_ID":
      return { base: "tool.number", index: "path", rank: 2 };
    case "EMERGENCY_STOP":
      return { base: "emergency_stop", index: "none", rank: 0 };
    case "MESSAGE":
      return { base: "message", index: "none", rank: 0 };
    default:
      return undefined;
  }
}

/**
 * The channel / spindle index of an item: the trailing number of its
 * component's name, except for items on the Device itself, whose name
 * ("ST10", "Mazak03") is a machine name, not a channel.
 */
function itemIndex(rule: Rule, item: MtDataItem): number {
  if (rule.index === "none" || item.component === "Device") return 1;
  return componentIndex(item.componentName);
}

/** Trailing number of a component name: "C2" → 2, "path" → 1. */
export function componentIndex(name: string | undefined): number {
  const m = /(\d+)$/.exec(name ?? "");
  const n = m ? Number(m[1]) : 1;
  return Math.max(n, 1);
}

function finish(
  rule: Rule,
  index: number,
  item: MtDataItem,
  options: CatalogOptions,
): SignalMapping | undefined {
  let signal: SignalId = rule.base;
  if (rule.index !== "none" && index > 1) {
    signal = indexSignal(rule.base, index);
  }
  const unit = signalSpec(rule.base)?.unit;
  const mapping: SignalMapping = { signal };
  if (unit === undefined) return mapping;
  mapping.unit = unit;
  const from = options.valueUnits === "nativeUnits" ? (item.nativeUnits ?? item.units) : item.units;
  const scale = unitScale(from, unit);
  if (scale !== 1) mapping.scale = scale;
  return mapping;
}

/**
 * The catalogue signal of one DataItem, seen alone (index from its component
 * name). Prefer `mapDeviceDataItems` for a whole device: it also settles
 * clashes between items that want the same signal.
 */
export function signalForDataItem(item: MtDataItem, options: CatalogOptions = {}): SignalMapping | undefined {
  const rule = ruleFor(item);
  if (!rule) return undefined;
  return finish(rule, itemIndex(rule, item), item, options);
}

const VELOCITY_TYPES = new Set(["ROTARY_VELOCITY", "SPINDLE_SPEED"]);

/**
 * Map every DataItem of a device: item id → mapping (unmapped items are
 * absent). On top of `signalForDataItem`:
 * - a Rotary is a spindle only if it carries a velocity item; LOAD on an
 *   index/rotary axis (Okuma B, C3) is therefore not spindle.load;
 * - spindle components whose names give the same index are numbered apart in
 *   document order (the later one takes the next free index);
 * - when several items want one signal, the preferred kind wins (e.g.
 *   TOOL_NUMBER over TOOL_ASSET_ID), then document order (so machine-
 *   coordinate X1actm wins over work-coordinate X1actw); the others stay
 *   unmapped. Conditions all share `alarm`.
 */
export function mapDeviceDataItems(
  device: MtDevice,
  options: CatalogOptions = {},
): Map<string, SignalMapping> {
  const spindleComponents = new Set<string>();
  for (const item of device.dataItems) {
    if (item.component === "Rotary" && VELOCITY_TYPES.has(item.type))
      spindleComponents.add(componentKey(item));
  }
  const spindleIndex = assignIndexes(device.dataItems.filter((i) => spindleComponents.has(componentKey(i))));

  const best = new Map<SignalId, { id: string; rank: number; mapping: SignalMapping }>();
  const result = new Map<string, SignalMapping>();
  for (const item of device.dataItems) {
    const rule = ruleFor(item);
    if (!rule) continue;
    let index = 1;
    if (rule.index === "spindle" && item.component === "Rotary") {
      const assigned = spindleIndex.get(componentKey(item));
      if (assigned === undefined) continue; // a Rotary without velocity is an axis, not a spindle
      index = assigned;
    } else {
      index = itemIndex(rule, item);
    }
    const mapping = finish(rule, index, item, options);
    if (!mapping) continue;
    if (mapping.signal === "alarm") {
      result.set(item.id, mapping);
      continue;
    }
    const current = best.get(mapping.signal);
    if (!current || rule.rank < current.rank)
      best.set(mapping.signal, { id: item.id, rank: rule.rank, mapping });
  }
  for (const { id, mapping } of best.values()) result.set(id, mapping);
  return result;
}

function componentKey(item: MtDataItem): string {
  return item.componentId ?? `${item.component}/${item.componentName ?? ""}`;
}

/** Spindle component → index from its name, clashes moved to the next free index in document order. */
function assignIndexes(items: readonly MtDataItem[]): Map<string, number> {
  const byComponent = new Map<string, number>();
  const taken = new Set<number>();
  for (const item of items) {
    const key = componentKey(item);
    if (byComponent.has(key)) continue;
    let n = componentIndex(item.componentName);
    while (taken.has(n)) n++;
    taken.add(n);
    byComponent.set(key, n);
  }
  return byComponent;
}
