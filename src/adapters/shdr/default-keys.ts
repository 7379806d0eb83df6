import { indexSignal, type SignalId } from "../../core/signals.ts";
import type { ShdrKeyType } from "./config.ts";

// Default SHDR key names → signals, for adapters configured without a
// Devices.xml. The names are the ones the MTConnect adapter SDKs, the
// cppagent simulators and common open-source adapters use (matched without
// regard to case). The README lists them; a machine's `keys:` overrides any.

export type DefaultKey = { signal: SignalId; type: ShdrKeyType };

const table: [ShdrKeyType, SignalId, string[]][] = [
  ["event", "availability", ["avail", "availability"]],
  ["event", "execution", ["execution", "exec"]],
  ["event", "mode", ["mode", "controllermode", "controller_mode"]],
  ["event", "program.name", ["program", "pgm", "program_name", "programname"]],
  ["event", "program.line", ["line", "line_number", "linenumber", "block_number", "blocknumber"]],
  ["event", "part.count", ["part_count", "partcount", "parts", "part_counter"]],
  ["event", "tool.number", ["tool", "tool_id", "toolid", "tool_number", "toolnumber", "tool_no"]],
  ["event", "emergency_stop", ["estop", "e_stop", "emergency_stop", "emergencystop"]],
  ["message", "message", ["message", "msg"]],
  ["sample", "spindle.speed", ["sspeed", "spindle_speed", "spindlespeed", "srpm"]],
  ["sample", "spindle.speed.cmd", ["scmd", "sspeed_cmd", "spindle_speed_cmd", "scommand"]],
  ["sample", "spindle.load", ["sload", "spindle_load", "spindleload"]],
  ["event", "spindle.override", ["sovr", "soverride", "spindle_override", "spindleoverride"]],
  ["sample", "feed.rate", ["path_feedrate", "feedrate", "feed_rate", "fact", "feed"]],
  ["event", "feed.override", ["fovr", "feed_override", "feedoverride", "path_feedrate_override"]],
  ["event", "rapid.override", ["rovr", "rapid_override", "rapidoverride"]],
  ["condition", "alarm", ["system", "logic", "motion", "comms", "communications"]],
];

export const DEFAULT_KEYS: Readonly<Record<string, DefaultKey>> = Object.fromEntries(
  table.flatMap(([type, signal, names]) => names.map((n) => [n, { signal, type }])),
);

/** Patterns tried in order when no exact name matches. */
export const DEFAULT_KEY_RULES: readonly ((key: string) => DefaultKey | undefined)[] = [
  // S1speed, S2load, S3cmd, S2ovr: numbered spindles (S1 = the first, unindexed).
  (key) => {
    const m = /^s(\d+)(speed|load|cmd|ovr)$/i.exec(key);
    if (!m) return undefined;
    const index = Number(m[1]);
    const what = m[2]?.toLowerCase();
    if (what === "speed") return { signal: indexSignal("spindle.speed", index), type: "sample" };
    if (what === "load") return { signal: indexSignal("spindle.load", index), type: "sample" };
    if (what === "cmd") return { signal: indexSignal("spindle.speed.cmd", index), type: "sample" };
    return { signal: indexSignal("spindle.override", index), type: "event" };
  },
  // Xact, Xpos, Xabs, X1act, Zposition: actual axis positions (axis number 1 or none).
  (key) => {
    const m = /^([xyzabc])1?(act|pos|abs|position)$/i.exec(key);
    const l = m?.[1]?.toLowerCase();
    return l ? { signal: `axis.${l}.position` as SignalId, type: "sample" } : undefined;
  },
  // Xtravel_cond, servo_cond, SystemCondition: condition data items by suffix.
  (key) => (/(_cond|_condition|condition)$/i.test(key) ? { signal: "alarm", type: "condition" } : undefined),
];
