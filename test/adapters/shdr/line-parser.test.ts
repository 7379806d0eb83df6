import { describe, expect, it } from "vitest";
import type { ShdrKeyType } from "../../../src/adapters/shdr/config.ts";
import { ShdrLineParser, type ShdrRecord } from "../../../src/adapters/shdr/line-parser.ts";
import { parseShdrTimestamp } from "../../../src/adapters/shdr/timestamp.ts";

const TYPES: Record<string, ShdrKeyType> = {
  system: "condition",
  Xtravel: "condition",
  msg: "message",
  amps: "time_series",
};
const RX = Date.UTC(2030, 0, 1);
const T = "2022-08-08T13:51:34.7167146Z";
const T_MS = Date.UTC(2022, 7, 8, 13, 51, 34, 716);

function parser() {
  return new ShdrLineParser({ keyType: (k) => TYPES[k] });
}

function data(record: ShdrRecord | null) {
  if (record?.kind !== "data") throw new Error(`expected a data record, got ${JSON.stringify(record)}`);
  return record;
}

describe("ShdrLineParser line forms", () => {
  it("reads several key|value pairs with one timestamp", () => {
    const r = data(parser().parseLine(`${T}|avail|AVAILABLE|Sspeed|1200.5|mode|AUTOMATIC`, RX));
    expect(r.ts).toBe(T_MS);
    expect(r.problems).toEqual([]);
    expect(r.items).toEqual([
      { kind: "value", key: "avail", value: "AVAILABLE" },
      { kind: "value", key: "Sspeed", value: "1200.5" },
      { kind: "value", key: "mode", value: "AUTOMATIC" },
    ]);
  });

  it("reads UNAVAILABLE (any case) as null and keeps empty values as empty text", () => {
    const r = data(parser().parseLine(`${T}|a|UNAVAILABLE|b|unavailable|p1ProgramHeader||c|x`, RX));
    expect(r.items.map((i) => (i.kind === "value" ? i.value : "?"))).toEqual([null, null, "", "x"]);
  });

  it("keeps space-separated vectors and values with = and ; as one value", () => {
    const r = data(parser().parseLine(`${T}|p1LPathPos|1039.897 0 269.0133|all|Name = W;Ed = 1;`, RX));
    expect(r.items).toEqual([
      { kind: "value", key: "p1LPathPos", value: "1039.897 0 269.0133" },
      { kind: "value", key: "all", value: "Name = W;Ed = 1;" },
    ]);
  });

  it("reads a condition as level|nativeCode|nativeSeverity|qualifier|text", () => {
    const r = data(parser().parseLine(`${T}|system|FAULT|2001|3|HIGH|Spindle overload`, RX));
    expect(r.items).toEqual([
      {
        kind: "condition",
        key: "system",
        level: "fault",
        nativeCode: "2001",
        nativeSeverity: "3",
        qualifier: "HIGH",
        text: "Spindle overload",
      },
    ]);
  });

  it("reads the all-empty NORMAL condition okuma.txt uses", () => {
    const r = data(parser().parseLine(`${T}|system|NORMAL||||`, RX));
    expect(r.items).toEqual([
      {
        kind: "condition",
        key: "system",
        level: "normal",
        nativeCode: "",
        nativeSeverity: "",
        qualifier: "",
        text: "",
      },
    ]);
    expect(r.problems).toEqual([]);
  });

  it("continues with more pairs after a condition (SHDR 2) and accepts a short condition at line end", () => {
    const r = data(parser().parseLine(`${T}|Xtravel|WARNING|OT1|||Overtravel|Sspeed|0|system|normal`, RX));
    expect(r.items.map((i) => i.kind)).toEqual(["condition", "value", "condition"]);
    expect(r.items[2]).toMatchObject({ kind: "condition", key: "system", level: "normal", nativeCode: "" });
  });

  it("does not take a 7-field event line for a condition: the key type decides", () => {
    // okuma.txt: `…|p1Fcmd|UNAVAILABLE|p1Fract|861.4038|p1Frcmd|5` has the shape of a condition.
    const r = data(parser().parseLine(`${T}|p1Fcmd|UNAVAILABLE|p1Fract|861.4038|p1Frcmd|5`, RX));
    expect(r.items).toEqual([
      { kind: "value", key: "p1Fcmd", value: null },
      { kind: "value", key: "p1Fract", value: "861.4038" },
      { kind: "value", key: "p1Frcmd", value: "5" },
    ]);
  });

  it("reads messages as nativeCode|text, and a bare text", () => {
    const p = parser();
    expect(data(p.parseLine(`${T}|msg|M42|Door open|Sspeed|10`, RX)).items).toEqual([
      { kind: "message", key: "msg", nativeCode: "M42", text: "Door open" },
      { kind: "value", key: "Sspeed", value: "10" },
    ]);
    expect(data(p.parseLine(`${T}|msg|Hello`, RX)).items).toEqual([
      { kind: "message", key: "msg", nativeCode: "", text: "Hello" },
    ]);
    expect(data(p.parseLine(`${T}|msg||UNAVAILABLE`, RX)).items).toEqual([
      { kind: "message", key: "msg", nativeCode: "", text: null },
    ]);
  });

  it("reads time series as count|rate|values", () => {
    const r = data(parser().parseLine(`${T}|amps|3|100|1.5 1.6 1.7`, RX));
    expect(r.items).toEqual([
      { kind: "time_series", key: "amps", count: 3, rate: 100, values: "1.5 1.6 1.7" },
    ]);
  });

  it("reads quoted values that contain a pipe", () => {
    const r = data(parser().parseLine(`${T}|block|"G01 X1|Y2" |note|"say \\"hi\\""`, RX));
    expect(r.items).toEqual([
      { kind: "value", key: "block", value: "G01 X1|Y2" },
      { kind: "value", key: "note", value: 'say "hi"' },
    ]);
  });

  it("trims fields and ignores a trailing |", () => {
    const r = data(parser().parseLine(` ${T} | a | 1 |`, RX));
    expect(r.items).toEqual([{ kind: "value", key: "a", value: "1" }]);
    expect(r.problems).toEqual([]);
  });

  it("uses the receive time for an empty timestamp", () => {
    expect(data(parser().parseLine("|avail|AVAILABLE", RX)).ts).toBe(RX);
  });

  it("strips CR-free protocol lines into commands", () => {
    const p = parser();
    expect(p.parseLine("* PONG 10000", RX)).toEqual({ kind: "command", command: "PONG", value: "10000" });
    expect(p.parseLine("* shdrVersion: 2", RX)).toEqual({
      kind: "command",
      command: "shdrVersion",
      value: "2",
    });
    expect(p.parseLine("*adapterVersion:UNAVAILABLE", RX)).toEqual({
      kind: "command",
      command: "adapterVersion",
      value: "UNAVAILABLE",
    });
    expect(p.parseLine("* uuid: OKUMA.123456", RX)).toEqual({
      kind: "command",
      command: "uuid",
      value: "OKUMA.123456",
    });
  });

  it("returns null for blank lines", () => {
    expect(parser().parseLine("", RX)).toBeNull();
    expect(parser().parseLine("   ", RX)).toBeNull();
  });
});

describe("ShdrLineParser asset commands", () => {
  it("skips single-line asset commands", () => {
    const p = parser();
    expect(p.parseLine(`${T}|@REMOVE_ALL_ASSETS@|CuttingTool`, RX)).toEqual({
      kind: "asset",
      ts: T_MS,
      command: "@REMOVE_ALL_ASSETS@",
      bodyLines: 0,
    });
    expect(p.parseLine(`${T}|@REMOVE_ASSET@|123456.8003`, RX)).toMatchObject({
      kind: "asset",
      command: "@REMOVE_ASSET@",
      assetId: "123456.8003",
    });
    expect(p.parseLine(`${T}|@ASSET@|T1|CuttingTool|<CuttingTool/>`, RX)).toMatchObject({
      kind: "asset",
      assetId: "T1",
    });
  });

  it("skips a --multiline-- body whole, whatever it contains, then reads lines normally", () => {
    const p = parser();
    expect(p.parseLine(`${T}|@ASSET@|123456.2201|CuttingTool|--multiline--ABCD`, RX)).toBeNull();
    expect(p.inBlock).toBe(true);
    expect(p.parseLine('<CuttingTool toolId="1"><Description />', RX)).toBeNull();
    expect(p.parseLine(`${T}|looks|like|data`, RX)).toBeNull();
    expect(p.parseLine("* PONG 5", RX)).toBeNull();
    expect(p.parseLine("</CuttingTool>", RX)).toBeNull();
    expect(p.parseLine("--multiline--ABCD", RX)).toEqual({
      kind: "asset",
      ts: T_MS,
      command: "@ASSET@",
      assetId: "123456.2201",
      bodyLines: 4,
    });
    expect(p.inBlock).toBe(false);
    expect(data(p.parseLine(`${T}|a|1`, RX)).items).toHaveLength(1);
  });

  it("gives a multiline value of an ordinary key its body as the value", () => {
    const p = parser();
    p.parseLine(`${T}|program_text|--multiline--XY`, RX);
    p.parseLine("G01 X1", RX);
    p.parseLine("M30", RX);
    expect(data(p.parseLine("--multiline--XY", RX)).items).toEqual([
      { kind: "value", key: "program_text", value: "G01 X1\nM30" },
    ]);
  });

  it("abandons a block whose terminator never comes once it passes the cap", () => {
    const p = new ShdrLineParser({ keyType: () => undefined, maxBlockChars: 100 });
    p.parseLine(`${T}|@ASSET@|A|CuttingTool|--multiline--NEVER`, RX);
    let error: ShdrRecord | null = null;
    for (let i = 0; i < 10 && error === null; i++) error = p.parseLine("x".repeat(30), RX);
    expect(error).toMatchObject({ kind: "error" });
    expect((error as { reason: string }).reason).toMatch(/abandoned/);
    expect(data(p.parseLine(`${T}|a|1`, RX)).items).toHaveLength(1);
  });

  it("reset() forgets a half-read block (connection lost)", () => {
    const p = parser();
    p.parseLine(`${T}|@ASSET@|A|CuttingTool|--multiline--Q`, RX);
    p.reset();
    expect(data(p.parseLine(`${T}|a|1`, RX)).items).toHaveLength(1);
  });
});

describe("ShdrLineParser bad input (an error result, never a throw)", () => {
  const cases: [string, string, RegExp][] = [
    ["garbage without pipes", "hello world", /not an SHDR line/],
    ["binary garbage", "\u0000\u0001\u00ff\ufffd", /not an SHDR line/],
    ["bad timestamp", "2022-13-45T99:00:00Z|a|1", /bad timestamp/],
    ["not a date at all", "yesterday|a|1", /bad timestamp/],
    ["truncated timestamp", "2022-08-08T13:5|a|1", /bad timestamp/],
    ["empty protocol line", "*", /empty protocol line/],
  ];
  for (const [name, line, reason] of cases) {
    it(name, () => {
      const r = parser().parseLine(line, RX);
      expect(r?.kind).toBe("error");
      expect((r as { reason: string }).reason).toMatch(reason);
    });
  }

  it("keeps the good items of a line with an unknown condition level", () => {
    const r = data(parser().parseLine(`${T}|system|BROKEN|1|||x|Sspeed|5`, RX));
    expect(r.items).toEqual([{ kind: "value", key: "Sspeed", value: "5" }]);
    expect(r.problems).toEqual([expect.stringMatching(/unknown level "BROKEN".*NORMAL, WARNING, FAULT/)]);
  });

  it("reports a truncated line (key without value) and keeps what came before", () => {
    const r = data(parser().parseLine(`${T}|a|1|b`, RX));
    expect(r.items).toEqual([{ kind: "value", key: "a", value: "1" }]);
    expect(r.problems).toEqual([expect.stringMatching(/"b" has no value/)]);
  });

  it("reports a condition cut off before its level", () => {
    const r = data(parser().parseLine(`${T}|system`, RX));
    expect(r.items).toEqual([]);
    expect(r.problems).toEqual([expect.stringMatching(/condition system has no level/)]);
  });

  it("reports a value without a key", () => {
    const r = data(parser().parseLine(`${T}||lonely|a|1`, RX));
    expect(r.items).toEqual([{ kind: "value", key: "a", value: "1" }]);
    expect(r.problems).toEqual([expect.stringMatching(/empty key/)]);
  });

  it("reports a time series with a bad count", () => {
    const r = data(parser().parseLine(`${T}|amps|many|100|1 2`, RX));
    expect(r.items).toEqual([]);
    expect(r.problems).toEqual([expect.stringMatching(/bad count/)]);
  });

  it("copes with a 1 MB line (the framer caps lines; the parser still must not choke)", () => {
    const r = data(parser().parseLine(`${T}|big|${"x".repeat(1024 * 1024)}`, RX));
    expect(r.items[0]).toMatchObject({ key: "big" });
  });
});

describe("parseShdrTimestamp", () => {
  const ok: [string, number][] = [
    ["2022-08-08T13:51:34Z", Date.UTC(2022, 7, 8, 13, 51, 34)],
    ["2022-08-08T13:51:34", Date.UTC(2022, 7, 8, 13, 51, 34)],
    ["2022-08-08T13:51:34.5Z", Date.UTC(2022, 7, 8, 13, 51, 34, 500)],
    ["2022-08-08T13:51:34.123456", Date.UTC(2022, 7, 8, 13, 51, 34, 123)],
    ["2022-08-08T13:51:34.7167146Z", Date.UTC(2022, 7, 8, 13, 51, 34, 716)],
    ["2022-08-08T13:51:34.999999999Z", Date.UTC(2022, 7, 8, 13, 51, 34, 999)],
    ["2022-08-08T15:51:34+02:00", Date.UTC(2022, 7, 8, 13, 51, 34)],
    ["2022-08-08T08:51:34.250-0500", Date.UTC(2022, 7, 8, 13, 51, 34, 250)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
    ["2022-08-08T13:51:34.5Z@100.0", Date.UTC(2022, 7, 8, 13, 51, 34, 500)],
  ];
  for (const [text, ms] of ok) it(`reads ${text}`, () => expect(parseShdrTimestamp(text)).toBe(ms));

  const bad = [
    "",
    "2022-08-08",
    "2022-08-08T13:51",
    "2022-02-30T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2022-08-08T24:00:00Z",
    "2022-08-08T13:51:34.Z",
    "2022-08-08T13:51:34ZZ",
    "2022-08-08T13:51:34 junk",
    "2022/08/08T13:51:34Z",
    "20x2-08-08T13:51:34Z",
  ];
  for (const text of bad)
    it(`rejects ${JSON.stringify(text)}`, () => expect(parseShdrTimestamp(text)).toBeUndefined());
});
