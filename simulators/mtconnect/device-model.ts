import type { MachineKind, ModelState } from "../model/machine-model.ts";

// The MTConnect device model of a simulated machine: the components and data
// items a typical CNC agent publishes (the shape of cppagent's demo devices),
// and how each item's value is read from the machine model's state. The agent
// (agent-buffer.ts) diffs these values tick by tick into observations.

export type SimCategory = "SAMPLE" | "EVENT" | "CONDITION";

/** One component level above a data item, outermost first (Device excluded). */
export type SimComponent = { element: string; id: string; name?: string };

export type SimDataItem = {
  id: string;
  name: string;
  type: string;
  subType?: string;
  category: SimCategory;
  units?: string;
  /** Component path below the device, e.g. [Axes, Linear X]; [] = on the device itself. */
  path: SimComponent[];
  /** Streams element name: POSITION → Position, PATH_FEEDRATE_OVERRIDE → PathFeedrateOverride. */
  element: string;
  /** Value text; null = UNAVAILABLE. Not used for conditions (see alarmsOf). */
  read: (s: ModelState) => string | null;
};

export type SimDevice = {
  machineIndex: number;
  kind: MachineKind;
  id: string;
  name: string;
  uuid: string;
  items: SimDataItem[];
};

/** EXECUTION → Execution, PATH_FEEDRATE_OVERRIDE → PathFeedrateOverride. */
export function elementName(type: string): string {
  return type
    .toLowerCase()
    .split("_")
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : ""))
    .join("");
}

const num = (v: number, decimals = 3): string => String(Math.round(v * 10 ** decimals) / 10 ** decimals);

type ItemSpec = Omit<SimDataItem, "element" | "id" | "path"> & { key: string };

/** Device name as configured in the demo: lathe-1, mill-2, … (kinds alternate like the SHDR simulator's). */
export function simDeviceName(kind: MachineKind, index: number): string {
  return `${kind}-${index}`;
}

export function buildSimDevice(kind: MachineKind, index: number): SimDevice {
  const name = simDeviceName(kind, index);
  const p = `d${index}`; // id prefix: ids are unique across the agent
  const items: SimDataItem[] = [];
  const add = (path: SimComponent[], spec: ItemSpec) => {
    const { key, ...rest } = spec;
    items.push({ ...rest, id: `${p}_${key}`, path, element: elementName(spec.type) });
  };
  const controller: SimComponent[] = [{ element: "Controller", id: `${p}_cont`, name: "controller" }];
  const path: SimComponent[] = [...controller, { element: "Path", id: `${p}_path`, name: "path" }];
  const axes: SimComponent = { element: "Axes", id: `${p}_axes`, name: "base" };

  add([], {
    key: "avail",
    name: "avail",
    type: "AVAILABILITY",
    category: "EVENT",
    read: (s) => (s.power ? "AVAILABLE" : "UNAVAILABLE"),
  });
  for (const letter of kind === "lathe" ? ["X", "Z"] : ["X", "Y", "Z"]) {
    const axis = letter.toLowerCase() as "x" | "y" | "z";
    add([axes, { element: "Linear", id: `${p}_${axis}`, name: letter }], {
      key: `${axis}pos`,
      name: `${letter}pos`,
      type: "POSITION",
      subType: "ACTUAL",
      category: "SAMPLE",
      units: "MILLIMETER",
      read: (s) => num(s.axes[axis]),
    });
  }
  const spindle: SimComponent[] = [axes, { element: "Rotary", id: `${p}_c`, name: "C" }];
  add(spindle, {
    key: "sspeed",
    name: "Sspeed",
    type: "ROTARY_VELOCITY",
    subType: "ACTUAL",
    category: "SAMPLE",
    units: "REVOLUTION/MINUTE",
    read: (s) => num(s.spindleSpeed, 0),
  });
  add(spindle, {
    key: "scmd",
    name: "Scmd",
    type: "ROTARY_VELOCITY",
    subType: "COMMANDED",
    category: "SAMPLE",
    units: "REVOLUTION/MINUTE",
    read: (s) => num(s.spindleSpeedCmd, 0),
  });
  add(spindle, {
    key: "sload",
    name: "Sload",
    type: "LOAD",
    category: "SAMPLE",
    units: "PERCENT",
    read: (s) => num(s.spindleLoad, 1),
  });
  add(spindle, {
    key: "sovr",
    name: "Sovr",
    type: "ROTARY_VELOCITY_OVERRIDE",
    category: "EVENT",
    units: "PERCENT",
    read: (s) => num(s.spindleOverride, 0),
  });
  add(controller, {
    key: "estop",
    name: "estop",
    type: "EMERGENCY_STOP",
    category: "EVENT",
    read: (s) => s.estop,
  });
  add(controller, { key: "system", name: "system", type: "SYSTEM", category: "CONDITION", read: () => null });
  add(path, {
    key: "exec",
    name: "execution",
    type: "EXECUTION",
    category: "EVENT",
    read: (s) => s.execution,
  });
  add(path, { key: "mode", name: "mode", type: "CONTROLLER_MODE", category: "EVENT", read: (s) => s.mode });
  add(path, {
    key: "program",
    name: "program",
    type: "PROGRAM",
    category: "EVENT",
    read: (s) => s.program ?? "",
  });
  add(path, {
    key: "line",
    name: "line",
    type: "LINE_NUMBER",
    subType: "ABSOLUTE",
    category: "EVENT",
    read: (s) => String(s.line),
  });
  add(path, {
    key: "pcount",
    name: "partcount",
    type: "PART_COUNT",
    subType: "ALL",
    category: "EVENT",
    read: (s) => String(s.partCount),
  });
  add(path, {
    key: "tool",
    name: "tool",
    type: "TOOL_NUMBER",
    category: "EVENT",
    read: (s) => String(s.tool),
  });
  add(path, {
    key: "feed",
    name: "Fact",
    type: "PATH_FEEDRATE",
    subType: "ACTUAL",
    category: "SAMPLE",
    units: "MILLIMETER/SECOND", // MTConnect's unit; the model and the catalogue use mm/min
    read: (s) => num(s.feedRate / 60),
  });
  add(path, {
    key: "fovr",
    name: "Fovr",
    type: "PATH_FEEDRATE_OVERRIDE",
    subType: "PROGRAMMED",
    category: "EVENT",
    units: "PERCENT",
    read: (s) => num(s.feedOverride, 0),
  });
  add(path, {
    key: "rovr",
    name: "Frapid",
    type: "PATH_FEEDRATE_OVERRIDE",
    subType: "RAPID",
    category: "EVENT",
    units: "PERCENT",
    read: (s) => num(s.rapidOverride, 0),
  });
  add(path, {
    key: "msg",
    name: "message",
    type: "MESSAGE",
    category: "EVENT",
    read: (s) => s.message ?? "",
  });
  return { machineIndex: index, kind, id: p, name, uuid: `maskinport-sim-${name}`, items };
}

/** A condition's active entries for the model state: one per alarm code; [] = Normal. */
export function alarmsOf(s: ModelState): { code: string; level: "Warning" | "Fault"; text: string }[] {
  return s.alarms.map((a) => ({
    code: a.code,
    level: a.severity === "fault" ? "Fault" : "Warning",
    text: a.text,
  }));
}
