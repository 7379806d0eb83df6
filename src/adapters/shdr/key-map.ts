import { isSignalId, type SignalId, signalSpec } from "../../core/signals.ts";
import { mapDeviceDataItems } from "../mtconnect-common/catalog.ts";
import type { MtDataItem, MtDevice } from "../mtconnect-common/devices.ts";
import { shortUnit } from "../mtconnect-common/units.ts";
import type { ShdrKeyConfig, ShdrKeyType, ShdrMonitorConfig } from "./config.ts";
import { DEFAULT_KEY_RULES, DEFAULT_KEYS } from "./default-keys.ts";

// Per machine: SHDR key → how to read it (line form) and what it becomes.
// Three layers, the later winning: the default table for common adapter key
// names (default-keys.ts), then a Devices.xml device (keys are DataItem names
// or ids), then the machine's `keys:` config. A key none of them knows still
// flows, as raw.<key>.

/** How a value's text becomes a reading value. */
export type ValueKind =
  /** a number, or null + quality bad when the text is not one */
  | "number"
  /** a number when the text is one, else the text (program.line "N100", raw samples) */
  | "auto"
  /** the text, upper-cased: controlled vocabularies (execution, mode…) */
  | "upper"
  | "text";

export type ShdrKeySpec = {
  signal: SignalId;
  type: ShdrKeyType;
  valueKind: ValueKind;
  unit?: string;
  /** Multiply numeric values (unit conversion, e.g. 60 for mm/s → mm/min). */
  scale?: number;
  ignore: boolean;
  /** false when the key fell through every layer and flows as raw.<key>. */
  mapped: boolean;
  /** The key arrived after the map was full (maxKeys): its items are dropped and counted. */
  overflow?: true;
};

export const DEFAULT_MAX_KEYS = 10_000;

/** What a key first seen after the map is full reads as: one field, dropped. */
const OVERFLOW_SPEC: Readonly<ShdrKeySpec> = Object.freeze({
  signal: "raw.overflow" as SignalId,
  type: "sample",
  valueKind: "text",
  ignore: true,
  mapped: false,
  overflow: true,
});

const NUMERIC_BASES = new Set(["part.count"]);
const AUTO_BASES = new Set(["program.line", "tool.number"]);
const UPPER_BASES = new Set(["availability", "execution", "mode", "emergency_stop"]);

/** `spindle.2.speed` → `spindle.speed`, for the value-kind tables. */
function baseOf(signal: string): string {
  return signal.replace(/\.\d+(?=\.|$)/, "");
}

export function valueKindFor(signal: SignalId, type: ShdrKeyType): ValueKind {
  if (signal.startsWith("raw.")) return type === "event" || type === "message" ? "text" : "auto";
  const base = baseOf(signal);
  if (UPPER_BASES.has(base)) return "upper";
  if (AUTO_BASES.has(base)) return "auto";
  if (NUMERIC_BASES.has(base) || signalSpec(signal)?.unit !== undefined) return "number";
  return "text";
}

function spec(
  signal: SignalId,
  type: ShdrKeyType,
  mapped: boolean,
  unit?: string,
  scale?: number,
): ShdrKeySpec {
  const s: ShdrKeySpec = { signal, type, valueKind: valueKindFor(signal, type), ignore: false, mapped };
  const u = unit ?? signalSpec(signal)?.unit;
  if (u !== undefined) s.unit = u;
  if (scale !== undefined && scale !== 1) s.scale = scale;
  return s;
}

function typeFromDataItem(item: MtDataItem): ShdrKeyType {
  if (item.category === "CONDITION") return "condition";
  if (item.type === "MESSAGE" && item.category === "EVENT") return "message";
  if (item.representation === "TIME_SERIES") return "time_series";
  return item.category === "SAMPLE" ? "sample" : "event";
}

/** Key → spec for every DataItem of a device, by name and by id (the SHDR key may be either). */
export function keySpecsFromDevice(device: MtDevice): Map<string, ShdrKeySpec> {
  // SHDR carries native units; the agent would convert them (see catalog.ts).
  const mappings = mapDeviceDataItems(device, { valueUnits: "nativeUnits" });
  const byKey = new Map<string, ShdrKeySpec>();
  const put = (key: string, item: MtDataItem) => {
    const m = mappings.get(item.id);
    const type = typeFromDataItem(item);
    byKey.set(
      key,
      m
        ? spec(m.signal, type, true, m.unit, m.scale)
        : spec(`raw.${key}`, type, false, shortUnit(item.nativeUnits ?? item.units)),
    );
  };
  // Ids first, so that a name equal to another item's id resolves to the named item.
  for (const item of device.dataItems) put(item.id, item);
  for (const item of device.dataItems) if (item.name !== undefined) put(item.name, item);
  return byKey;
}

function defaultSpec(key: string): ShdrKeySpec | undefined {
  const exact = DEFAULT_KEYS[key.toLowerCase()];
  if (exact) return spec(exact.signal, exact.type, true);
  for (const rule of DEFAULT_KEY_RULES) {
    const hit = rule(key);
    if (hit) return spec(hit.signal, hit.type, true);
  }
  return undefined;
}

function applyConfig(base: ShdrKeySpec | undefined, key: string, cfg: string | ShdrKeyConfig): ShdrKeySpec {
  const c: ShdrKeyConfig = typeof cfg === "string" ? { signal: cfg } : cfg;
  const signal = (c.signal ?? base?.signal ?? `raw.${key}`) as SignalId;
  const type =
    c.type ?? base?.type ?? (signal === "alarm" ? "condition" : signal === "message" ? "message" : "event");
  const sameSignal = base !== undefined && base.signal === signal;
  const s = spec(
    signal,
    type,
    c.signal !== undefined || (base?.mapped ?? false),
    c.unit ?? (sameSignal ? base.unit : undefined),
    c.scale ?? (sameSignal ? base.scale : undefined),
  );
  if (c.ignore) s.ignore = true;
  return s;
}

export type ShdrKeyMapOptions = {
  keys?: ShdrMonitorConfig["keys"];
  device?: MtDevice;
  /** Use the default key-name table for keys the device does not define (default true). */
  defaults?: boolean;
  /**
   * Most distinct keys remembered (default 10,000). Keys are remembered forever
   * (a key is a signal, and its signal must be nulled when the machine goes
   * offline), so an adapter sending ever new keys would grow memory without
   * end: a key first seen after this many is dropped instead (see `overflow`).
   */
  maxKeys?: number;
};

/**
 * The resolved key map of one machine. Specs are computed on first use and
 * cached, so the hot path is one Map lookup per key.
 */
export class ShdrKeyMap {
  readonly #cache = new Map<string, ShdrKeySpec>();
  readonly #device: Map<string, ShdrKeySpec> | undefined;
  readonly #config: ShdrMonitorConfig["keys"];
  readonly #defaults: boolean;
  readonly #maxKeys: number;
  #unmapped = 0;

  constructor(options: ShdrKeyMapOptions = {}) {
    this.#device = options.device ? keySpecsFromDevice(options.device) : undefined;
    this.#config = options.keys ?? {};
    this.#defaults = options.defaults ?? true;
    this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    for (const [key, cfg] of Object.entries(this.#config)) {
      const signal = typeof cfg === "string" ? cfg : cfg.signal;
      if (signal !== undefined && !isSignalId(signal)) {
        throw new Error(`keys.${key}: "${signal}" is not a catalogue signal id or raw.<name>`);
      }
    }
  }

  get(key: string): ShdrKeySpec {
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    if (this.#cache.size >= this.#maxKeys) return OVERFLOW_SPEC;
    const resolved = this.#resolve(key);
    if (!resolved.mapped && !resolved.ignore) this.#unmapped++;
    this.#cache.set(key, resolved);
    return resolved;
  }

  /** For ShdrLineParser: how many fields the key consumes. */
  readonly typeOf = (key: string): ShdrKeyType => this.get(key).type;

  /** Distinct keys seen that map to nothing in the catalogue (they flow as raw.<key>). */
  get unmappedKeys(): number {
    return this.#unmapped;
  }

  /** Distinct keys remembered (at most maxKeys). */
  get size(): number {
    return this.#cache.size;
  }

  #resolve(key: string): ShdrKeySpec {
    let base = this.#device?.get(key);
    // `Device:key` addresses a key of a named device (several devices on one adapter).
    const colon = key.indexOf(":");
    if (base === undefined && colon > 0) base = this.#device?.get(key.slice(colon + 1));
    if (base === undefined && this.#defaults) base = defaultSpec(key);
    const cfg = Object.hasOwn(this.#config, key) ? this.#config[key] : undefined;
    if (cfg !== undefined) return applyConfig(base, key, cfg);
    // Unknown keys read as samples: one field, a number when the text is one.
    return base ?? spec(`raw.${key}`, "sample", false);
  }
}
