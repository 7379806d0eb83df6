// The SHDR keys the simulator sends: one source of truth for the simulator's
// line formatter, its README and the SHDR adapter's default key map. Names are
// those common in open-source MTConnect adapters (Fanuc, Haas, Mazak demo
// adapters): short, case-sensitive, with an `act`/`cmd`/`ovr` suffix style.
import type { ShdrKeyConfig } from "../../src/adapters/shdr/config.ts";
import type { BaseSignalId } from "../../src/core/signals.ts";

/** How the key is framed on the wire: sample/event `key|value`, message `key|code|text`, condition 5 fields. */
export type ShdrKeyType = "sample" | "event" | "condition" | "message";

export type SimShdrKey = {
  key: string;
  type: ShdrKeyType;
  signal: BaseSignalId;
  unit?: string;
  /** The MTConnect DataItem this key would be in an agent's Devices.xml. */
  mtconnect: { category: "SAMPLE" | "EVENT" | "CONDITION"; type: string; subType?: string; units?: string };
  description: string;
};

export const SIM_SHDR_KEYS = [
  {
    key: "avail",
    type: "event",
    signal: "availability",
    mtconnect: { category: "EVENT", type: "AVAILABILITY" },
    description: "AVAILABLE while the machine is powered on, UNAVAILABLE when it is off",
  },
  {
    key: "execution",
    type: "event",
    signal: "execution",
    mtconnect: { category: "EVENT", type: "EXECUTION" },
    description: "READY, ACTIVE, FEED_HOLD, STOPPED, PROGRAM_STOPPED (M00), PROGRAM_COMPLETED (after M30)",
  },
  {
    key: "mode",
    type: "event",
    signal: "mode",
    mtconnect: { category: "EVENT", type: "CONTROLLER_MODE" },
    description: "AUTOMATIC, MANUAL (setup), EDIT",
  },
  {
    key: "program",
    type: "event",
    signal: "program.name",
    mtconnect: { category: "EVENT", type: "PROGRAM" },
    description: "Selected program, an O-number such as O1001",
  },
  {
    key: "line",
    type: "event",
    signal: "program.line",
    mtconnect: { category: "EVENT", type: "LINE_NUMBER", subType: "ABSOLUTE" },
    description: "Line of the program's NC text being executed (0 when none)",
  },
  {
    key: "part_count",
    type: "event",
    signal: "part.count",
    mtconnect: { category: "EVENT", type: "PART_COUNT", subType: "ALL" },
    description: "Parts counter, +1 at every M30",
  },
  {
    key: "Sspeed",
    type: "sample",
    signal: "spindle.speed",
    unit: "rev/min",
    mtconnect: { category: "SAMPLE", type: "ROTARY_VELOCITY", subType: "ACTUAL", units: "REVOLUTION/MINUTE" },
    description: "Actual spindle speed (ramps up and down over seconds)",
  },
  {
    key: "Scmd",
    type: "sample",
    signal: "spindle.speed.cmd",
    unit: "rev/min",
    mtconnect: {
      category: "SAMPLE",
      type: "ROTARY_VELOCITY",
      subType: "PROGRAMMED",
      units: "REVOLUTION/MINUTE",
    },
    description: "Programmed spindle speed (S word) while the spindle is on, else 0",
  },
  {
    key: "Sload",
    type: "sample",
    signal: "spindle.load",
    unit: "%",
    mtconnect: { category: "SAMPLE", type: "LOAD", units: "PERCENT" },
    description: "Spindle load",
  },
  {
    key: "Sovr",
    type: "event",
    signal: "spindle.override",
    unit: "%",
    mtconnect: { category: "EVENT", type: "ROTARY_VELOCITY_OVERRIDE" },
    description: "Spindle speed override",
  },
  {
    key: "Fact",
    type: "sample",
    signal: "feed.rate",
    unit: "mm/min",
    mtconnect: { category: "SAMPLE", type: "PATH_FEEDRATE", subType: "ACTUAL", units: "MILLIMETER/SECOND" },
    description: "Actual path feed rate in mm/min (an agent would declare nativeUnits MILLIMETER/MINUTE)",
  },
  {
    key: "Fovr",
    type: "event",
    signal: "feed.override",
    unit: "%",
    mtconnect: { category: "EVENT", type: "PATH_FEEDRATE_OVERRIDE", subType: "PROGRAMMED" },
    description: "Feed override",
  },
  {
    key: "Rovr",
    type: "event",
    signal: "rapid.override",
    unit: "%",
    mtconnect: { category: "EVENT", type: "PATH_FEEDRATE_OVERRIDE", subType: "RAPID" },
    description: "Rapid traverse override",
  },
  {
    key: "Xact",
    type: "sample",
    signal: "axis.x.position",
    unit: "mm",
    mtconnect: { category: "SAMPLE", type: "POSITION", subType: "ACTUAL", units: "MILLIMETER" },
    description: "X axis position (a diameter on the lathe)",
  },
  {
    key: "Yact",
    type: "sample",
    signal: "axis.y.position",
    unit: "mm",
    mtconnect: { category: "SAMPLE", type: "POSITION", subType: "ACTUAL", units: "MILLIMETER" },
    description: "Y axis position (always 0 on the lathe)",
  },
  {
    key: "Zact",
    type: "sample",
    signal: "axis.z.position",
    unit: "mm",
    mtconnect: { category: "SAMPLE", type: "POSITION", subType: "ACTUAL", units: "MILLIMETER" },
    description: "Z axis position",
  },
  {
    key: "Tool",
    type: "event",
    signal: "tool.number",
    mtconnect: { category: "EVENT", type: "TOOL_NUMBER" },
    description: "Active tool (turret station or spindle tool)",
  },
  {
    key: "estop",
    type: "event",
    signal: "emergency_stop",
    mtconnect: { category: "EVENT", type: "EMERGENCY_STOP" },
    description: "ARMED or TRIGGERED",
  },
  {
    key: "message",
    type: "message",
    signal: "message",
    mtconnect: { category: "EVENT", type: "MESSAGE" },
    description: "Operator message, e.g. the M00 comment; `message||` when there is none",
  },
  {
    key: "system",
    type: "condition",
    signal: "alarm",
    mtconnect: { category: "CONDITION", type: "SYSTEM" },
    description: "Control alarms: FAULT|code|1||text, WARNING|code|2||text, NORMAL to clear",
  },
] as const satisfies readonly SimShdrKey[];

export type SimShdrKeyName = (typeof SIM_SHDR_KEYS)[number]["key"];

/** The same list in the shape of the SHDR adapter's per-key config (`monitor.keys`). */
export const SIM_SHDR_KEY_MAP: Readonly<Record<SimShdrKeyName, ShdrKeyConfig>> = Object.fromEntries(
  SIM_SHDR_KEYS.map((k) => [
    k.key,
    "unit" in k ? { signal: k.signal, type: k.type, unit: k.unit } : { signal: k.signal, type: k.type },
  ]),
) as Record<SimShdrKeyName, ShdrKeyConfig>;
