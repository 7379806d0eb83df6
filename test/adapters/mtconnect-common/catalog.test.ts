import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  componentIndex,
  mapDeviceDataItems,
  signalForDataItem,
} from "../../../src/adapters/mtconnect-common/catalog.ts";
import {
  findDevice,
  type MtDataItem,
  parseDevicesXml,
} from "../../../src/adapters/mtconnect-common/devices.ts";
import { unitScale } from "../../../src/adapters/mtconnect-common/units.ts";
import { CPPAGENT_FIXTURES } from "../../support/fixtures.ts";

const FIXTURES = CPPAGENT_FIXTURES;

function item(partial: Partial<MtDataItem> & Pick<MtDataItem, "type">): MtDataItem {
  return { id: "i", category: "EVENT", component: "Controller", ...partial };
}

describe("signalForDataItem", () => {
  const cases: [string, MtDataItem, ReturnType<typeof signalForDataItem>][] = [
    ["AVAILABILITY", item({ type: "AVAILABILITY", component: "Device" }), { signal: "availability" }],
    ["EXECUTION", item({ type: "EXECUTION", component: "Path" }), { signal: "execution" }],
    ["CONTROLLER_MODE", item({ type: "CONTROLLER_MODE" }), { signal: "mode" }],
    ["PROGRAM", item({ type: "PROGRAM", component: "Path" }), { signal: "program.name" }],
    ["LINE", item({ type: "LINE", component: "Path" }), { signal: "program.line" }],
    ["LINE_NUMBER", item({ type: "LINE_NUMBER", subType: "ABSOLUTE" }), { signal: "program.line" }],
    ["BLOCK_NUMBER", item({ type: "BLOCK_NUMBER" }), { signal: "program.line" }],
    ["PART_COUNT", item({ type: "PART_COUNT" }), { signal: "part.count" }],
    [
      "SPINDLE_SPEED (1.1) on Rotary",
      item({
        type: "SPINDLE_SPEED",
        subType: "ACTUAL",
        category: "SAMPLE",
        component: "Rotary",
        componentName: "C",
        units: "REVOLUTION/MINUTE",
      }),
      { signal: "spindle.speed", unit: "rev/min" },
    ],
    [
      "ROTARY_VELOCITY COMMANDED",
      item({
        type: "ROTARY_VELOCITY",
        subType: "COMMANDED",
        category: "SAMPLE",
        component: "Rotary",
        componentName: "C",
      }),
      { signal: "spindle.speed.cmd", unit: "rev/min" },
    ],
    [
      "ROTARY_VELOCITY PROGRAMMED of the second spindle",
      item({
        type: "ROTARY_VELOCITY",
        subType: "PROGRAMMED",
        category: "SAMPLE",
        component: "Rotary",
        componentName: "C2",
      }),
      { signal: "spindle.2.speed.cmd", unit: "rev/min" },
    ],
    [
      "SPINDLE_SPEED OVERRIDE (1.1)",
      item({
        type: "SPINDLE_SPEED",
        subType: "OVERRIDE",
        category: "SAMPLE",
        component: "Rotary",
        units: "PERCENT",
      }),
      { signal: "spindle.override", unit: "%" },
    ],
    [
      "ROTARY_VELOCITY_OVERRIDE",
      item({ type: "ROTARY_VELOCITY_OVERRIDE", component: "Rotary", componentName: "S6" }),
      { signal: "spindle.6.override", unit: "%" },
    ],
    [
      "LOAD on Rotary",
      item({ type: "LOAD", category: "SAMPLE", component: "Rotary", componentName: "C1", units: "PERCENT" }),
      { signal: "spindle.load", unit: "%" },
    ],
    [
      "LOAD on Linear (raw)",
      item({ type: "LOAD", category: "SAMPLE", component: "Linear", componentName: "X" }),
      undefined,
    ],
    [
      "PATH_FEEDRATE ACTUAL in mm/s → mm/min",
      item({
        type: "PATH_FEEDRATE",
        subType: "ACTUAL",
        category: "SAMPLE",
        component: "Path",
        units: "MILLIMETER/SECOND",
      }),
      { signal: "feed.rate", unit: "mm/min", scale: 60 },
    ],
    [
      "PATH_FEEDRATE in PERCENT (1.1 override)",
      item({ type: "PATH_FEEDRATE", category: "SAMPLE", component: "Path", units: "PERCENT" }),
      { signal: "feed.override", unit: "%" },
    ],
    [
      "PATH_FEEDRATE PROGRAMMED (no catalogue signal)",
      item({ type: "PATH_FEEDRATE", subType: "PROGRAMMED", category: "SAMPLE", component: "Path" }),
      undefined,
    ],
    [
      "PATH_FEEDRATE_OVERRIDE PROGRAMMED",
      item({ type: "PATH_FEEDRATE_OVERRIDE", subType: "PROGRAMMED" }),
      { signal: "feed.override", unit: "%" },
    ],
    [
      "PATH_FEEDRATE_OVERRIDE RAPID",
      item({ type: "PATH_FEEDRATE_OVERRIDE", subType: "RAPID" }),
      { signal: "rapid.override", unit: "%" },
    ],
    ["PATH_FEEDRATE_OVERRIDE JOG", item({ type: "PATH_FEEDRATE_OVERRIDE", subType: "JOG" }), undefined],
    [
      "POSITION on Linear Z1",
      item({
        type: "POSITION",
        subType: "ACTUAL",
        category: "SAMPLE",
        component: "Linear",
        componentName: "Z1",
        units: "MILLIMETER",
      }),
      { signal: "axis.z.position", unit: "mm" },
    ],
    [
      "POSITION in inches",
      item({ type: "POSITION", category: "SAMPLE", component: "Linear", componentName: "X", units: "INCH" }),
      { signal: "axis.x.position", unit: "mm", scale: 25.4 },
    ],
    [
      "POSITION COMMANDED (raw)",
      item({
        type: "POSITION",
        subType: "COMMANDED",
        category: "SAMPLE",
        component: "Linear",
        componentName: "X",
      }),
      undefined,
    ],
    [
      "ANGLE on Rotary B",
      item({
        type: "ANGLE",
        subType: "ACTUAL",
        category: "SAMPLE",
        component: "Rotary",
        componentName: "B",
        units: "DEGREE",
      }),
      { signal: "axis.b.position", unit: "deg" },
    ],
    ["TOOL_NUMBER", item({ type: "TOOL_NUMBER", component: "Path" }), { signal: "tool.number" }],
    ["TOOL_ASSET_ID", item({ type: "TOOL_ASSET_ID", component: "Path" }), { signal: "tool.number" }],
    ["EMERGENCY_STOP", item({ type: "EMERGENCY_STOP" }), { signal: "emergency_stop" }],
    ["MESSAGE", item({ type: "MESSAGE" }), { signal: "message" }],
    [
      "any CONDITION",
      item({ type: "TEMPERATURE", category: "CONDITION", component: "Linear" }),
      { signal: "alarm" },
    ],
    [
      "program of path 2",
      item({ type: "PROGRAM", component: "Path", componentName: "path2" }),
      { signal: "program.2.name" },
    ],
    [
      "execution of path 2",
      item({ type: "EXECUTION", component: "Path", componentName: "P2" }),
      { signal: "execution.2" },
    ],
    [
      "execution on the Device itself: a machine name's digits are no channel",
      item({ type: "EXECUTION", component: "Device", componentName: "ST10" }),
      { signal: "execution" },
    ],
    [
      "feed override with subType OVERRIDE (MTConnect 1.x agents)",
      item({ type: "PATH_FEEDRATE_OVERRIDE", subType: "OVERRIDE", component: "Path", units: "PERCENT" }),
      { signal: "feed.override", unit: "%" },
    ],
    ["an unknown type", item({ type: "CHUCK_STATE" }), undefined],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(signalForDataItem(input)).toEqual(expected));
  }

  it("uses nativeUnits when asked (SHDR sends native units)", () => {
    const fact = item({
      type: "PATH_FEEDRATE",
      subType: "ACTUAL",
      category: "SAMPLE",
      component: "Path",
      units: "MILLIMETER/SECOND",
      nativeUnits: "MILLIMETER/MINUTE",
    });
    expect(signalForDataItem(fact)).toEqual({ signal: "feed.rate", unit: "mm/min", scale: 60 });
    expect(signalForDataItem(fact, { valueUnits: "nativeUnits" })).toEqual({
      signal: "feed.rate",
      unit: "mm/min",
    });
  });

  it("componentIndex reads the trailing number", () => {
    expect([
      componentIndex("C2"),
      componentIndex("path"),
      componentIndex(undefined),
      componentIndex("S0"),
    ]).toEqual([2, 1, 1, 1]);
  });

  it("unitScale", () => {
    expect(unitScale("MILLIMETER/SECOND", "mm/min")).toBe(60);
    expect(unitScale("INCH/MINUTE", "mm/min")).toBe(25.4);
    expect(unitScale("RADIAN", "deg")).toBeCloseTo(57.29578);
    expect(unitScale(undefined, "mm")).toBe(1);
    expect(unitScale("MILLIMETER", "deg")).toBe(1);
  });
});

describe("mapDeviceDataItems", () => {
  const devices = parseDevicesXml(readFileSync(`${FIXTURES}/Devices.xml`, "utf8"));
  const okuma = findDevice(devices, "OKUMA")!;
  const byName = (mappings: ReturnType<typeof mapDeviceDataItems>) =>
    Object.fromEntries(
      okuma.dataItems.flatMap((i) => {
        const m = mappings.get(i.id);
        return m && m.signal !== "alarm" ? [[i.name ?? i.id, m.signal]] : [];
      }),
    );

  it("maps the Okuma MULTUS: spindles by their own numbers, first of competing items wins", () => {
    expect(byName(mapDeviceDataItems(okuma, { valueUnits: "nativeUnits" }))).toEqual({
      avail: "availability",
      X1actm: "axis.x.position",
      YI1actm: "axis.y.position",
      Z1actm: "axis.z.position",
      B1actw: "axis.b.position",
      C3actm: "axis.c.position",
      S1speed: "spindle.speed",
      S1cmd: "spindle.speed.cmd",
      S1ovr: "spindle.override",
      S1load: "spindle.load",
      S2speed: "spindle.2.speed",
      S2cmd: "spindle.2.speed.cmd",
      S2ovr: "spindle.2.override",
      S6speed: "spindle.6.speed",
      S6cmd: "spindle.6.speed.cmd",
      S6ovr: "spindle.6.override",
      S6load: "spindle.6.load",
      estop: "emergency_stop",
      pmode: "mode",
      pprogram: "program.name",
      pexecution: "execution",
      pFovr: "feed.override",
      ppartcount: "part.count",
      p1Fact: "feed.rate",
      p1linenumber: "program.line",
      p1CurrentTool: "tool.number",
    });
  });

  it("keeps LOAD of index axes (B, C3) and the second Z axis out of the catalogue", () => {
    const m = mapDeviceDataItems(okuma);
    for (const id of [
      "LB1load",
      "LC3load",
      "LZ4actm",
      "LX1load",
      "LX1actw",
      "Lp1ToolAssetId",
      "Lp1BlockNumber",
    ]) {
      expect(m.get(id), id).toBeUndefined();
    }
  });

  it("maps all 10 condition items to alarm", () => {
    const m = mapDeviceDataItems(okuma);
    expect(okuma.dataItems.filter((i) => m.get(i.id)?.signal === "alarm")).toHaveLength(10);
  });

  it("p1Fact: mm/min on SHDR (native), ×60 from the agent's mm/s", () => {
    expect(mapDeviceDataItems(okuma, { valueUnits: "nativeUnits" }).get("Lp1Fact")).toEqual({
      signal: "feed.rate",
      unit: "mm/min",
    });
    expect(mapDeviceDataItems(okuma).get("Lp1Fact")).toEqual({
      signal: "feed.rate",
      unit: "mm/min",
      scale: 60,
    });
  });

  it("numbers two unnumbered spindles apart in document order", () => {
    const spindle = (id: string, name: string): MtDataItem => ({
      id,
      type: "ROTARY_VELOCITY",
      subType: "ACTUAL",
      category: "SAMPLE",
      component: "Rotary",
      componentName: name,
      componentId: `c-${id}`,
    });
    const m = mapDeviceDataItems({ id: "d", name: "d", dataItems: [spindle("a", "C"), spindle("b", "S")] });
    expect(m.get("a")?.signal).toBe("spindle.speed");
    expect(m.get("b")?.signal).toBe("spindle.2.speed");
  });

  it("prefers TOOL_NUMBER over TOOL_ASSET_ID whatever the order", () => {
    const m = mapDeviceDataItems({
      id: "d",
      name: "d",
      dataItems: [item({ id: "asset", type: "TOOL_ASSET_ID" }), item({ id: "num", type: "TOOL_NUMBER" })],
    });
    expect(m.get("num")?.signal).toBe("tool.number");
    expect(m.get("asset")).toBeUndefined();
  });

  it("maps the 1.1 Fanuc probe", () => {
    const fanuc = parseDevicesXml(readFileSync(`${FIXTURES}/samples/fanuc.xml`, "utf8"))[0]!;
    const m = mapDeviceDataItems(fanuc);
    const signals = Object.fromEntries(fanuc.dataItems.map((i) => [i.id, m.get(i.id)?.signal]));
    expect(signals).toMatchObject({
      c2: "spindle.speed",
      c4: "spindle.load",
      c3: "spindle.override",
      x2: "axis.x.position",
      x4: undefined,
      n3: undefined,
      a2: "axis.a.position",
      cn3: "mode",
      cn4: "program.line",
      cn5: "program.name",
      cn6: "execution",
      path_feedrate: "feed.rate",
      Fovr: "feed.override",
      servo: "alarm",
    });
    expect(m.get("path_feedrate")?.scale).toBe(60);
  });
});
