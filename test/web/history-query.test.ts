import { describe, expect, it } from "vitest";
import { HISTORY_LIMITS, parseHistoryQuery, parseTime } from "../../src/web/history-query.ts";

const NOW = 1_700_000_000_000;
const parse = (query: string) => parseHistoryQuery(new URLSearchParams(query), NOW);

describe("parseHistoryQuery", () => {
  it("fills defaults from now", () => {
    expect(parse("signal=spindle.speed")).toEqual({
      ok: true,
      query: { signal: "spindle.speed", from: NOW - HISTORY_LIMITS.defaultWindowMs, to: NOW, maxPoints: 120 },
    });
  });

  it("accepts indexed and raw signal ids", () => {
    expect(parse("signal=spindle.2.speed").ok).toBe(true);
    expect(parse("signal=raw.Xact").ok).toBe(true);
  });

  it("reports every bad parameter at once", () => {
    const result = parse("signal=nope&points=1&from=soon");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.parameter)).toEqual(["signal", "from", "points"]);
    for (const issue of result.issues) expect(issue.message.startsWith(`${issue.parameter}: `)).toBe(true);
  });

  it("cuts very long bad values short in messages", () => {
    const result = parse(`signal=${"x".repeat(500)}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.message.length).toBeLessThan(200);
  });
});

describe("parseHistoryQuery: parameter names that are Object.prototype members (issue 13 item 7)", () => {
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    it(`?${name}=1 is an unknown parameter, not "given more than once"`, () => {
      const result = parse(`signal=spindle.speed&${name}=1`);
      expect(result).toEqual({
        ok: false,
        issues: [
          { parameter: name, message: expect.stringMatching(new RegExp(`^${name}: unknown parameter; `)) },
        ],
      });
    });
  }

  it("a 9 KB parameter name comes back cut short (found by test/fuzz)", () => {
    const result = parse(`signal=spindle.speed&${"n".repeat(9000)}=1`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.message.length).toBeLessThan(200);
  });

  it("a real repeat is still reported once per repeat", () => {
    const result = parse("signal=spindle.speed&signal=spindle.load");
    expect(result).toEqual({
      ok: false,
      issues: [{ parameter: "signal", message: "signal: given more than once; give it once" }],
    });
  });
});

describe("parseTime", () => {
  it.each([
    ["1700000000000", 1_700_000_000_000],
    ["2023-11-14T22:13:20Z", 1_700_000_000_000],
    ["2023-11-14T23:13:20+01:00", 1_700_000_000_000],
    ["2023-11-14T22:13:20.500Z", 1_700_000_000_500],
  ])("reads %s", (text, ms) => {
    expect(parseTime(text)).toBe(ms);
  });

  it.each(["", "now", "May 5", "2023-11-14", "2023-11-14T22:13:20", "-5", "1e12", "2023-13-45T99:99Z"])(
    "refuses %j",
    (text) => {
      expect(parseTime(text)).toBeUndefined();
    },
  );
});
