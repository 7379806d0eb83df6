import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findDevice, parseDevicesXml } from "../../../src/adapters/mtconnect-common/devices.ts";
import { type ShdrMonitorConfig, shdrMonitorSchema } from "../../../src/adapters/shdr/config.ts";
import { unavailableReadings } from "../../../src/adapters/shdr/convert.ts";
import { ShdrKeyMap } from "../../../src/adapters/shdr/key-map.ts";
import { ShdrStream } from "../../../src/adapters/shdr/stream.ts";
import type { Reading } from "../../../src/core/observation.ts";
import { CPPAGENT_FIXTURES } from "../../support/fixtures.ts";

const T = "2024-03-01T08:00:00.000Z";
const TS = Date.parse(T);
const RX = TS + 5;

function convert(lines: string[], keyMap = new ShdrKeyMap()) {
  const problems: string[] = [];
  const stream = new ShdrStream({ machine: "m1", keyMap, handlers: { problem: (p) => problems.push(p) } });
  const readings: Reading[] = [];
  for (const line of lines) readings.push(...stream.pushLine(line, RX));
  return { readings, problems, stream, keyMap };
}

/** signal → value of the readings, without the implied availability. */
function values(readings: Reading[]) {
  return readings.filter((r) => r.source.ref !== "connection").map((r) => [r.signal, r.value]);
}

const keys = (k: Record<string, unknown>) =>
  shdrMonitorSchema.parse({ type: "shdr", host: "h", keys: k }).keys;

describe("default key map", () => {
  it("maps common adapter key names to catalogue signals with units", () => {
    const { readings } = convert([
      `${T}|avail|AVAILABLE|execution|active|mode|automatic|program|O1234|line|120|part_count|7`,
      `${T}|Sspeed|1200|Sload|35.5|S2speed|800|Xact|12.5|Zpos|-3|Fovr|100|estop|ARMED|tool|5`,
    ]);
    expect(values(readings)).toEqual([
      ["availability", "AVAILABLE"],
      ["execution", "ACTIVE"],
      ["mode", "AUTOMATIC"],
      ["program.name", "O1234"],
      ["program.line", 120],
      ["part.count", 7],
      ["spindle.speed", 1200],
      ["spindle.load", 35.5],
      ["spindle.2.speed", 800],
      ["axis.x.position", 12.5],
      ["axis.z.position", -3],
      ["feed.override", 100],
      ["emergency_stop", "ARMED"],
      ["tool.number", 5],
    ]);
    const speed = readings.find((r) => r.signal === "spindle.speed");
    expect(speed).toEqual({
      machine: "m1",
      signal: "spindle.speed",
      value: 1200,
      unit: "rev/min",
      ts: TS,
      rx: RX,
      quality: "good",
      source: { protocol: "shdr", ref: "Sspeed" },
    });
  });

  it("turns a condition into an alarm reading with its detail", () => {
    const { readings } = convert([
      `${T}|system|FAULT|1010|2|HIGH|Spindle overheat`,
      `${T}|system|NORMAL||||`,
    ]);
    const alarms = readings.filter((r) => r.signal === "alarm");
    expect(alarms.map((r) => [r.value, r.alarm])).toEqual([
      [
        "FAULT",
        {
          key: "system",
          level: "fault",
          nativeCode: "1010",
          nativeSeverity: "2",
          qualifier: "HIGH",
          text: "Spindle overheat",
        },
      ],
      ["NORMAL", { key: "system", level: "normal", nativeCode: "", text: "" }],
    ]);
    const unavailable = convert([`${T}|motion_cond|UNAVAILABLE||||`]).readings.find(
      (r) => r.signal === "alarm",
    );
    expect(unavailable?.value).toBeNull();
    expect(unavailable?.alarm?.level).toBe("unavailable");
  });

  it("reads messages", () => {
    expect(values(convert([`${T}|message|M10|Check coolant`]).readings)).toEqual([
      ["message", "Check coolant"],
    ]);
  });

  it("UNAVAILABLE is null, except availability which keeps the word", () => {
    expect(
      values(convert([`${T}|avail|UNAVAILABLE|Sspeed|UNAVAILABLE|program|UNAVAILABLE`]).readings),
    ).toEqual([
      ["availability", "UNAVAILABLE"],
      ["spindle.speed", null],
      ["program.name", null],
    ]);
  });

  it("unknown keys flow as raw.<key>: numbers when numeric, vectors and text as strings; counted once", () => {
    const { readings, keyMap } = convert([
      `${T}|cabinet_temp|31.5|PathPos|1 2 3|door|OPEN|ApplicationInstallDate|2/23/2022`,
      `${T}|cabinet_temp|31.6`,
    ]);
    expect(values(readings)).toEqual([
      ["raw.cabinet_temp", 31.5],
      ["raw.PathPos", "1 2 3"],
      ["raw.door", "OPEN"],
      ["raw.ApplicationInstallDate", "2/23/2022"],
      ["raw.cabinet_temp", 31.6],
    ]);
    expect(keyMap.unmappedKeys).toBe(4);
  });

  it("a bad number is null with quality bad, and reported; an empty number is null", () => {
    const { readings, problems } = convert([`${T}|Sspeed|fast|Sload|`]);
    expect(readings.filter((r) => r.signal.startsWith("spindle")).map((r) => [r.value, r.quality])).toEqual([
      [null, "bad"],
      [null, "good"],
    ]);
    expect(problems).toEqual([expect.stringMatching(/Sspeed: "fast" is not a number/)]);
  });
});

describe("key map from Devices.xml (okuma) and config overrides", () => {
  const okuma = findDevice(
    parseDevicesXml(readFileSync(`${CPPAGENT_FIXTURES}/Devices.xml`, "utf8")),
    "OKUMA",
  )!;

  it("takes signals and line forms from the device model, by DataItem name or id", () => {
    const map = new ShdrKeyMap({ device: okuma });
    expect(map.get("S2speed")).toMatchObject({
      signal: "spindle.2.speed",
      type: "sample",
      unit: "rev/min",
      mapped: true,
    });
    expect(map.get("LS2speed").signal).toBe("spindle.2.speed");
    expect(map.get("HydraulicSystem1_cond")).toMatchObject({ signal: "alarm", type: "condition" });
    expect(map.get("p1Fact")).toMatchObject({ signal: "feed.rate", unit: "mm/min" });
    expect(map.get("p1Fact").scale).toBeUndefined(); // native mm/min
    expect(map.get("X1load")).toMatchObject({
      signal: "raw.X1load",
      type: "sample",
      unit: "%",
      mapped: false,
    });
    expect(map.get("fmode")).toMatchObject({ signal: "raw.fmode", type: "event", valueKind: "text" });
    // Not in Devices.xml: falls back to the defaults, then raw.
    expect(map.get("ApplicationInstallDate")).toMatchObject({
      signal: "raw.ApplicationInstallDate",
      mapped: false,
    });
  });

  it("a device key shadows the default table (the okuma `system` is a condition either way, `Sspeed` is not its key)", () => {
    const map = new ShdrKeyMap({ device: okuma });
    expect(map.get("Sspeed").signal).toBe("spindle.speed"); // default table still serves unknown keys
    expect(new ShdrKeyMap({ device: okuma, defaults: false }).get("Sspeed").signal).toBe("raw.Sspeed");
  });

  it("config keys override: shorthand, unit/scale, type, ignore", () => {
    const map = new ShdrKeyMap({
      device: okuma,
      keys: keys({
        p1BlockNumber: "program.line",
        temp: { signal: "raw.temp", unit: "°C", scale: 0.1, type: "sample" },
        door_cond: { type: "condition" },
        OperatingSystemAll: { ignore: true },
        S1speed: { scale: 2 },
      }),
    });
    expect(map.get("p1BlockNumber")).toMatchObject({
      signal: "program.line",
      mapped: true,
      valueKind: "auto",
    });
    expect(map.get("temp")).toMatchObject({ signal: "raw.temp", unit: "°C", scale: 0.1 });
    expect(map.get("door_cond")).toMatchObject({ signal: "alarm", type: "condition" });
    expect(map.get("OperatingSystemAll").ignore).toBe(true);
    expect(map.get("S1speed")).toMatchObject({ signal: "spindle.speed", unit: "rev/min", scale: 2 });

    const { readings, stream } = convert(
      [`${T}|p1BlockNumber|379|temp|215|OperatingSystemAll|Name = Windows|S1speed|100`],
      map,
    );
    expect(values(readings)).toEqual([
      ["program.line", 379],
      ["raw.temp", 21.5],
      ["spindle.speed", 200],
    ]);
    expect(stream.counters.ignored).toBe(1);
  });

  it("a config type decides the line form", () => {
    const map = new ShdrKeyMap({ keys: keys({ door: { signal: "alarm", type: "condition" } }) });
    const { readings } = convert([`${T}|door|WARNING|D1|||Door open|Sspeed|5`], map);
    expect(readings.map((r) => r.signal)).toEqual(["availability", "alarm", "spindle.speed"]);
  });

  it("rejects a config signal that is not in the catalogue", () => {
    expect(() => keys({ Sspeed: "spindle.sped" })).toThrow(/catalogue signal id/);
    expect(() => new ShdrKeyMap({ keys: { a: "nonsense" } as ShdrMonitorConfig["keys"] })).toThrow(/keys.a/);
  });
});

describe("ShdrStream: availability and connection loss", () => {
  it("implies AVAILABLE at the first data when the line has no avail key", () => {
    const { readings } = convert([`${T}|Sspeed|5`, `${T}|Sspeed|6`]);
    expect(readings.map((r) => [r.signal, r.value, r.source.ref])).toEqual([
      ["availability", "AVAILABLE", "connection"],
      ["spindle.speed", 5, "Sspeed"],
      ["spindle.speed", 6, "Sspeed"],
    ]);
  });

  it("does not imply it when the first line carries avail", () => {
    const { readings } = convert([`${T}|avail|UNAVAILABLE|Sspeed|5`]);
    expect(readings.filter((r) => r.signal === "availability").map((r) => r.value)).toEqual(["UNAVAILABLE"]);
  });

  it("connection loss: UNAVAILABLE, every seen signal null, seen conditions cleared — once per outage", () => {
    const { stream } = convert([`${T}|avail|AVAILABLE|Sspeed|5|program|P1|system|FAULT|1|||Hot`]);
    const lost = stream.connectionLost(TS + 1000);
    expect(lost.map((r) => [r.signal, r.value, r.source.ref, r.alarm?.level])).toEqual([
      ["availability", "UNAVAILABLE", "avail", undefined],
      ["spindle.speed", null, "Sspeed", undefined],
      ["program.name", null, "program", undefined],
      ["alarm", null, "system", "unavailable"],
    ]);
    expect(lost.every((r) => r.ts === TS + 1000 && r.machine === "m1")).toBe(true);
    expect(stream.connectionLost(TS + 2000)).toEqual([]);
    // Back again: data re-arms it, and availability is implied again if not sent.
    expect(stream.pushLine(`${T}|Sspeed|7`, RX).map((r) => r.signal)).toEqual([
      "availability",
      "spindle.speed",
    ]);
    expect(stream.connectionLost(TS + 3000).map((r) => r.signal)).toEqual(["availability", "spindle.speed"]);
  });

  it("unavailableReadings alone", () => {
    expect(unavailableReadings("m", new Map(), [], 5)).toEqual([
      {
        machine: "m",
        signal: "availability",
        value: "UNAVAILABLE",
        ts: 5,
        rx: 5,
        quality: "good",
        source: { protocol: "shdr", ref: "connection" },
      },
    ]);
  });
});
