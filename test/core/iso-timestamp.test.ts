import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IsoTimestampRules, parseIsoTimestamp } from "../../src/core/iso-timestamp.ts";

const STRICT: IsoTimestampRules = { secondsRequired: true, zoneRequired: true };

describe("parseIsoTimestamp", () => {
  it.each([
    ["2022-08-08T13:51:34Z", Date.UTC(2022, 7, 8, 13, 51, 34)],
    ["2022-08-08t13:51:34z", Date.UTC(2022, 7, 8, 13, 51, 34)],
    ["2022-08-08 13:51:34", Date.UTC(2022, 7, 8, 13, 51, 34)],
    ["2022-08-08T13:51", Date.UTC(2022, 7, 8, 13, 51)],
    ["2022-08-08T13:51Z", Date.UTC(2022, 7, 8, 13, 51)],
    ["2022-08-08T13:51:34,25", Date.UTC(2022, 7, 8, 13, 51, 34, 250)],
    ["2022-08-08T13:51:34.9999999Z", Date.UTC(2022, 7, 8, 13, 51, 34, 999)],
    ["2022-08-08T15:51:34+02", Date.UTC(2022, 7, 8, 13, 51, 34)],
    ["2022-08-08T15:51:34+0200", Date.UTC(2022, 7, 8, 13, 51, 34)],
    ["2022-08-08T08:51:34-05:00", Date.UTC(2022, 7, 8, 13, 51, 34)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
  ])("reads %s (a missing zone is UTC)", (text, ms) => {
    expect(parseIsoTimestamp(text)).toBe(ms);
  });

  it.each([
    "",
    "2022-08-08",
    "2022-08-08T13",
    "2022-08-08T13:5",
    "2022-08-08T13:51:3",
    "2022-02-30T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2022-08-08T24:00:00Z",
    "2022-08-08T13:60:00Z",
    "2022-08-08T13:51:61Z",
    "2022-08-08T13:51:34.Z",
    "2022-08-08T13:51:34ZZ",
    "2022-08-08T13:51:34+1",
    "2022-08-08T13:51:34+01:",
    "2022-08-08T13:51:34+01:0",
    "2022-08-08T13:51:34+010",
    "2022-08-08T13:51:34+24:00",
    "2022-08-08T13:51:34+01:00x",
    "2022-08-08T13:51:34 junk",
    "2022/08/08T13:51:34Z",
    "20x2-08-08T13:51:34Z",
    "yesterday at noon",
  ])("refuses %j (never NaN)", (text) => {
    expect(parseIsoTimestamp(text)).toBeUndefined();
  });

  it("reads only up to `end`", () => {
    const text = "2022-08-08T13:51:34.5Z@100.0";
    expect(parseIsoTimestamp(text, undefined, text.indexOf("@"))).toBe(Date.UTC(2022, 7, 8, 13, 51, 34, 500));
    expect(parseIsoTimestamp(text)).toBeUndefined();
  });

  it("refuses a time without seconds or without zone where the rules ask for them", () => {
    expect(parseIsoTimestamp("2022-08-08T13:51Z", STRICT)).toBeUndefined();
    expect(parseIsoTimestamp("2022-08-08T13:51:34", STRICT)).toBeUndefined();
    expect(parseIsoTimestamp("2022-08-08T13:51:34+00:00", STRICT)).toBe(Date.UTC(2022, 7, 8, 13, 51, 34));
  });

  it("reads every instant as Date's own ISO form gives it, with or without zone and offset", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("1970-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (date, offsetMin) => {
          const iso = date.toISOString();
          expect(parseIsoTimestamp(iso, STRICT)).toBe(date.getTime());
          expect(parseIsoTimestamp(iso.slice(0, -1))).toBe(date.getTime());
          // The same instant written in another zone: local wall time plus ±HH:MM.
          const local = new Date(date.getTime() + offsetMin * 60_000).toISOString().slice(0, -1);
          const abs = Math.abs(offsetMin);
          const zone = `${offsetMin < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
          if (!local.startsWith("+") && !local.startsWith("-")) {
            expect(parseIsoTimestamp(`${local}${zone}`, STRICT)).toBe(date.getTime());
          }
        },
      ),
    );
  });
});
