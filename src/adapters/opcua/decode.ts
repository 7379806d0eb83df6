// Decoding one raw OPC UA value (as node-opcua hands it over) into a
// catalogue value: numbers, texts, and the companion specs' enumerations
// mapped to MTConnect's execution and controller-mode vocabulary.
import type { ControllerMode, Execution } from "../../core/signals.ts";
import type { Binding } from "./convert.ts";

export const DECODERS = [
  "auto",
  "number",
  "text",
  "integer",
  "boolean",
  "cncProgramStatus",
  "cncFeedHold",
  "cncOperationMode",
  "channelState",
  "channelMode",
  "machineOperationMode",
  "productionProgramState",
] as const;
export type Decoder = (typeof DECODERS)[number];

/** Enumerations and LocalizedTexts arrive as these JS shapes from node-opcua. */
export type RawValue = unknown;

function asNumber(v: RawValue): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  // node-opcua (U)Int64: [high, low]
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number") {
    return v[0] * 2 ** 32 + v[1];
  }
  return null;
}

/** Plain text of a String, LocalizedText or QualifiedName value. */
export function asText(v: RawValue): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "object" && "text" in v) return (v as { text: string | null }).text ?? null;
  if (typeof v === "object" && "name" in v) return (v as { name: string | null }).name ?? null;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

const CNC_PROGRAM_STATUS: readonly Execution[] = ["READY", "ACTIVE", "WAIT", "INTERRUPTED", "STOPPED"];
const CNC_OPERATION_MODE: readonly ControllerMode[] = ["MANUAL", "MANUAL_DATA_INPUT", "AUTOMATIC"];
const CHANNEL_STATE: readonly Execution[] = ["ACTIVE", "INTERRUPTED", "READY"];
const CHANNEL_MODE: readonly (ControllerMode | null)[] = [
  "AUTOMATIC", // Automatic
  "MANUAL_DATA_INPUT", // MdaMdi
  "MANUAL", // JogManual
  "MANUAL", // JogIncrement
  "MANUAL", // TeachingHandle
  "AUTOMATIC", // Remote
  "MANUAL", // Reference
  null, // Other
];
const MACHINE_OPERATION_MODE: readonly (ControllerMode | null)[] = [
  "MANUAL", // Manual
  "AUTOMATIC", // Automatic
  "MANUAL", // Setup
  "SEMI_AUTOMATIC", // AutoWithManualIntervention
  "MANUAL", // Service
  null, // Other
];
const PRODUCTION_PROGRAM_STATE: Record<string, Execution> = {
  Initializing: "READY",
  Running: "ACTIVE",
  Ended: "PROGRAM_COMPLETED",
  Interrupted: "INTERRUPTED",
  Aborted: "STOPPED",
};

function fromEnum<T>(table: readonly (T | null)[], v: RawValue): T | null {
  const n = asNumber(v);
  return n === null || !Number.isInteger(n) ? null : (table[n] ?? null);
}

export type Decoded = number | string | boolean | null;

/** Raw OPC UA value → catalogue value; null when the value does not fit (reported as unknown, never guessed). */
export function decodeValue(decode: Decoder, v: RawValue): Decoded {
  switch (decode) {
    case "auto":
      if (typeof v === "number" || typeof v === "boolean" || typeof v === "string") return v;
      if (v instanceof Date) return v.getTime();
      return asNumber(v) ?? asText(v);
    case "number":
      return asNumber(v);
    case "integer": {
      const n = asNumber(typeof v === "string" ? v.trim() : v);
      return n !== null && Number.isInteger(n) ? n : null;
    }
    case "text":
      return asText(v);
    case "boolean":
    case "cncFeedHold":
      return typeof v === "boolean" ? v : v === null || v === undefined ? null : asNumber(v) !== 0;
    case "cncProgramStatus":
      return fromEnum(CNC_PROGRAM_STATUS, v);
    case "cncOperationMode":
      return fromEnum(CNC_OPERATION_MODE, v);
    case "channelState":
      return fromEnum(CHANNEL_STATE, v);
    case "channelMode":
      return fromEnum(CHANNEL_MODE, v);
    case "machineOperationMode":
      return fromEnum(MACHINE_OPERATION_MODE, v);
    case "productionProgramState": {
      const text = asText(v);
      return text === null ? null : (PRODUCTION_PROGRAM_STATE[text] ?? null);
    }
  }
}

/** Decode for an explicit-map binding: the configured `map` first (by the raw value's text), then `scale`. */
export function decodeBinding(b: Pick<Binding, "decode" | "map" | "scale">, v: RawValue): Decoded {
  let value = decodeValue(b.decode, v);
  if (b.map && value !== null) {
    const mapped = b.map[String(value)];
    if (mapped !== undefined) value = mapped;
  }
  if (b.scale !== undefined && typeof value === "number") value *= b.scale;
  return value;
}

/**
 * A signal fed by several bindings of one priority. Only CNC execution does
 * that today: the program status says Interrupted, FeedHold says why.
 */
export function combineDecoded(decoders: readonly Decoder[], values: readonly Decoded[]): Decoded {
  let main: Decoded = null;
  let feedHold = false;
  decoders.forEach((d, i) => {
    if (d === "cncFeedHold") feedHold = values[i] === true;
    else main = values[i] ?? null;
  });
  if (feedHold && (main === "ACTIVE" || main === "INTERRUPTED")) return "FEED_HOLD";
  return main;
}
