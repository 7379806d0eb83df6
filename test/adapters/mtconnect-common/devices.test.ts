import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DevicesXmlError,
  findDevice,
  parseDevicesXml,
} from "../../../src/adapters/mtconnect-common/devices.ts";
import { CPPAGENT_FIXTURES } from "../../support/fixtures.ts";

const FIXTURES = CPPAGENT_FIXTURES;
const read = (f: string) => readFileSync(`${FIXTURES}/${f}`, "utf8");

function summary(file: string) {
  return parseDevicesXml(read(file)).map((d) => ({
    name: d.name,
    items: d.dataItems.length,
    conditions: d.dataItems.filter((i) => i.category === "CONDITION").length,
  }));
}

describe("parseDevicesXml on the cppagent fixtures", () => {
  it("Devices.xml (2.7): OKUMA with 100 DataItems (10 conditions) and Mazak with 116", () => {
    expect(summary("Devices.xml")).toEqual([
      { name: "OKUMA", items: 100, conditions: 10 },
      { name: "Mazak", items: 116, conditions: 21 },
    ]);
  });

  it("reads item attributes and the carrying component (nested Axes > Rotary)", () => {
    const okuma = findDevice(parseDevicesXml(read("Devices.xml")), "OKUMA");
    expect(okuma?.uuid).toBe("OKUMA.123456");
    const s2 = okuma?.dataItems.find((i) => i.name === "S2speed");
    expect(s2).toEqual({
      id: "LS2speed",
      name: "S2speed",
      type: "ROTARY_VELOCITY",
      subType: "ACTUAL",
      category: "SAMPLE",
      units: "REVOLUTION/MINUTE",
      nativeUnits: "REVOLUTION/MINUTE",
      component: "Rotary",
      componentName: "C2",
      componentId: "Lc2",
    });
    const fact = okuma?.dataItems.find((i) => i.name === "p1Fact");
    expect(fact).toMatchObject({ component: "Path", componentName: "path", units: "MILLIMETER/SECOND" });
    expect(fact?.nativeUnits).toBe("MILLIMETER/MINUTE");
    // The DataItem whose id is not "L" + name (fixture README).
    expect(okuma?.dataItems.find((i) => i.name === "LubricationSystem1_cond")?.id).toBe(
      "LLubricationSystem_cond",
    );
    expect(okuma?.dataItems.find((i) => i.name === "avail")).toMatchObject({
      component: "Device",
      componentName: "OKUMA",
    });
  });

  it("SimpleDevlce.xml (1.4): Compositions, compositionId and TIME_SERIES representation", () => {
    const [simple] = parseDevicesXml(read("samples/SimpleDevlce.xml"));
    expect(summary("samples/SimpleDevlce.xml").reduce((n, d) => n + d.items, 0)).toBe(38);
    expect(simple?.dataItems.find((i) => i.name === "amp")).toMatchObject({
      compositionId: "b7792870",
      component: "Rotary",
      nativeUnits: "KILOAMPERE",
    });
    expect(simple?.dataItems.find((i) => i.name === "pampts")?.representation).toBe("TIME_SERIES");
  });

  it("fanuc.xml and haas.xml (1.1) and two_devices.xml", () => {
    expect(summary("samples/fanuc.xml")).toEqual([{ name: "Fanuc-4Axis", items: 48, conditions: 18 }]);
    expect(summary("samples/haas.xml")).toEqual([{ name: "Haas_1", items: 14, conditions: 2 }]);
    expect(summary("samples/two_devices.xml").map((d) => d.name)).toEqual(["Device1", "Device2"]);
    const haas = parseDevicesXml(read("samples/haas.xml"))[0];
    // An item without a name: the id is its SHDR key.
    const partCount = haas?.dataItems.find((i) => i.id === "PartCount");
    expect(partCount?.type).toBe("PART_COUNT");
    expect(partCount?.name).toBeUndefined();
  });

  it("the NIST test bed probe (1.3, 8 devices, 242 DataItems)", () => {
    const devices = parseDevicesXml(read("history/nist_smstestbed_devices.xml"));
    expect(devices.map((d) => d.name)).toEqual([
      "GFAgie01",
      "Mazak01",
      "Mazak03",
      "Hurco01",
      "Hurco02",
      "Hurco03",
      "Hurco04",
      "Hurco06",
    ]);
    expect(devices.reduce((n, d) => n + d.dataItems.length, 0)).toBe(242);
  });

  it("reads a prefixed (mt:) document like a default-namespace one", () => {
    const xml = `<?xml version="1.0"?>
      <mt:MTConnectDevices xmlns:mt="urn:mtconnect.org:MTConnectDevices:1.3">
        <mt:Devices><mt:Device id="d" name="M">
          <mt:Components><mt:Controller id="c"><mt:Components><mt:Path id="p" name="path2">
            <mt:DataItems><mt:DataItem id="e" type="EXECUTION" category="EVENT" name="exec"/></mt:DataItems>
          </mt:Path></mt:Components></mt:Controller></mt:Components>
        </mt:Device></mt:Devices>
      </mt:MTConnectDevices>`;
    expect(parseDevicesXml(xml)[0]?.dataItems).toEqual([
      {
        id: "e",
        name: "exec",
        type: "EXECUTION",
        category: "EVENT",
        component: "Path",
        componentName: "path2",
        componentId: "p",
      },
    ]);
  });

  it("findDevice by name, id or uuid; the first without a name", () => {
    const devices = parseDevicesXml(read("Devices.xml"));
    expect(findDevice(devices, undefined)?.name).toBe("OKUMA");
    expect(findDevice(devices, "d1")?.name).toBe("Mazak");
    expect(findDevice(devices, "OKUMA.123456")?.name).toBe("OKUMA");
    expect(findDevice(devices, "nope")).toBeUndefined();
  });
});

describe("parseDevicesXml bad input", () => {
  const wrap = (inner: string) =>
    `<MTConnectDevices xmlns="urn:mtconnect.org:MTConnectDevices:2.0"><Devices>${inner}</Devices></MTConnectDevices>`;
  const cases: [string, string, RegExp][] = [
    ["empty text", "", /empty/],
    ["not XML", "hello, I am not XML", /not well-formed XML \(line 1/],
    ["truncated XML", "<MTConnectDevices><Devices><Device id='a'>", /not well-formed XML/],
    [
      "a streams document",
      '<MTConnectStreams xmlns="urn:mtconnect.org:MTConnectStreams:1.3"><Streams/></MTConnectStreams>',
      /expected root element MTConnectDevices, got MTConnectStreams.*use \/probe/,
    ],
    ["no Devices", "<MTConnectDevices><Header/></MTConnectDevices>", /no Devices element/],
    ["no Device", wrap(""), /holds no Device/],
    ["device without id", wrap('<Device name="M"/>'), /Device\[0\] name="M": Device has no id/],
    [
      "DataItem without id",
      wrap(
        '<Device id="d" name="M"><DataItems><DataItem type="AVAILABILITY" category="EVENT" name="avail"/></DataItems></Device>',
      ),
      /Device\[0\] name="M" > DataItem\[0\] name="avail": DataItem has no id/,
    ],
    [
      "DataItem without type",
      wrap('<Device id="d" name="M"><DataItems><DataItem id="x" category="EVENT"/></DataItems></Device>'),
      /DataItem\[0\] id="x": DataItem has no type/,
    ],
    [
      "unknown category",
      wrap(
        '<Device id="d" name="M"><DataItems><DataItem id="x" type="LOAD" category="SAMPEL"/></DataItems></Device>',
      ),
      /category must be SAMPLE, EVENT or CONDITION, got "SAMPEL"/,
    ],
    [
      "duplicate ids",
      wrap(
        '<Device id="d" name="M"><DataItems><DataItem id="x" type="LOAD" category="SAMPLE"/><DataItem id="x" type="LOAD" category="SAMPLE"/></DataItems></Device>',
      ),
      /DataItem id "x" is used twice/,
    ],
  ];
  for (const [name, xml, message] of cases) {
    it(name, () => {
      expect(() => parseDevicesXml(xml)).toThrow(DevicesXmlError);
      expect(() => parseDevicesXml(xml)).toThrow(message);
    });
  }
});

describe("parseDevicesXml on input fast-xml-parser itself throws on (found by test/fuzz)", () => {
  it("a processing instruction with an unclosed quote before the document is a DevicesXmlError", () => {
    // The validator accepts it; the parser then threw a plain Error("Pi Tag is not closed.").
    const devices = readFileSync(
      new URL("../mtconnect/cases/simple-stream/devices.xml", import.meta.url),
      "utf8",
    );
    const xml = `<?a"<!--${devices}`;
    expect(() => parseDevicesXml(xml)).toThrow(DevicesXmlError);
    expect(() => parseDevicesXml(xml)).toThrow(/^Devices\.xml is not well-formed XML: Pi Tag is not closed/);
  });
});
