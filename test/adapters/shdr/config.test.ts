import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { keyMapFromConfig, ShdrConfigError } from "../../../src/adapters/shdr/adapter.ts";
import { shdrMonitorSchema } from "../../../src/adapters/shdr/config.ts";
import { parseConfig } from "../../../src/config/load.ts";
import { configProblems } from "../../support/config-problems.ts";
import { CPPAGENT_FIXTURES } from "../../support/fixtures.ts";

const SAMPLE = fileURLToPath(new URL("../../../src/adapters/shdr/sample.yaml", import.meta.url));

describe("sample.yaml", () => {
  it("is a valid config under the real schema", () => {
    const config = parseConfig(readFileSync(SAMPLE, "utf8"), SAMPLE);
    const [lathe, multus] = config.machines;
    expect(lathe?.monitor).toEqual({
      type: "shdr",
      host: "lathe-1.verksted.lan",
      port: 7878,
      heartbeatMs: 10_000,
      keys: {},
      reconnect: { initialMs: 500, maxMs: 30_000 },
      maxLineBytes: 1024 * 1024,
      maxFieldsPerLine: 10_000,
      maxKeys: 10_000,
    });
    expect(multus?.monitor).toMatchObject({ device: "OKUMA", devicesXml: "devices/okuma-multus.xml" });
  });

  it("its multus keys work against the real Okuma Devices.xml", () => {
    const config = parseConfig(readFileSync(SAMPLE, "utf8"), SAMPLE);
    const monitor = config.machines[1]?.monitor;
    if (monitor?.type !== "shdr") throw new Error("sample machine 2 should be shdr");
    const map = keyMapFromConfig("multus-1", { ...monitor, devicesXml: `${CPPAGENT_FIXTURES}/Devices.xml` });
    expect(map.get("p1BlockNumber").signal).toBe("program.line");
    expect(map.get("p1linenumber").signal).toBe("raw.p1linenumber");
    expect(map.get("S1speed").signal).toBe("spindle.speed");
    expect(map.get("OperatingSystemAll").ignore).toBe(true);
  });
});

describe("monitor config errors", () => {
  const base = { type: "shdr", host: "lathe-1" };
  it("defaults", () => {
    expect(shdrMonitorSchema.parse(base)).toMatchObject({
      port: 7878,
      heartbeatMs: 10_000,
      maxLineBytes: 1048576,
    });
  });

  it("names the path and the fix for a bad signal id, key type and line cap", () => {
    const yaml = (monitor: string) => `site: s
gateway: { id: g }
mqtt: { embedded: { port: 1883 } }
machines:
  - id: m
    name: M
    kind: lathe
    monitor: ${monitor}
`;
    const problems = (monitor: string) => configProblems(yaml(monitor), {}, { lines: false });
    expect(problems("{ type: shdr, host: h, keys: { Sspeed: spindle.sped } }")).toEqual([
      expect.stringMatching(/^machines\[0\]\.monitor\.keys\.Sspeed: .*catalogue signal id/),
    ]);
    expect(problems("{ type: shdr, host: h, keys: { door: { type: alarm } } }")).toEqual([
      expect.stringMatching(/^machines\[0\]\.monitor\.keys\.door/),
    ]);
    expect(problems("{ type: shdr, host: h, maxLineBytes: 10 }")).toEqual([
      expect.stringMatching(/^machines\[0\]\.monitor\.maxLineBytes: expected bytes 1024–67108864/),
    ]);
  });

  it("a missing or broken Devices.xml stops the adapter at construction with the machine and file named", () => {
    const monitor = shdrMonitorSchema.parse({ ...base, devicesXml: "/nonexistent/Devices.xml" });
    expect(() => keyMapFromConfig("m", monitor)).toThrow(ShdrConfigError);
    expect(() => keyMapFromConfig("m", monitor)).toThrow(
      /machine m: monitor.devicesXml \/nonexistent\/Devices.xml: cannot read the file \(ENOENT\)/,
    );
    const notXml = shdrMonitorSchema.parse({ ...base, devicesXml: `${CPPAGENT_FIXTURES}/okuma.txt` });
    expect(() => keyMapFromConfig("m", notXml)).toThrow(/not well-formed XML|expected root element/);
    const wrongDevice = shdrMonitorSchema.parse({
      ...base,
      devicesXml: `${CPPAGENT_FIXTURES}/Devices.xml`,
      device: "Haas",
    });
    expect(() => keyMapFromConfig("m", wrongDevice)).toThrow(
      /no device "Haas" \(the file has: OKUMA, Mazak\)/,
    );
  });
});
