import { describe, expect, it } from "vitest";
import { assertTimeZone, endOfDayAfter, instantOfWallTime } from "../../src/training/sessions/end-of-day.ts";

const OSLO = "Europe/Oslo";

describe("end of day in the site's time zone", () => {
  it("is 17:00 Oslo time on the day of the start, in winter (UTC+1) and summer (UTC+2)", () => {
    expect(endOfDayAfter(Date.UTC(2027, 0, 4, 7, 0), "17:00", OSLO)).toBe(Date.UTC(2027, 0, 4, 16, 0));
    expect(endOfDayAfter(Date.UTC(2027, 5, 7, 6, 0), "17:00", OSLO)).toBe(Date.UTC(2027, 5, 7, 15, 0));
  });

  it("moves to the next day for a session started after the end of day", () => {
    expect(endOfDayAfter(Date.UTC(2027, 0, 4, 17, 30), "17:00", OSLO)).toBe(Date.UTC(2027, 0, 5, 16, 0));
    // 16:00 UTC is exactly 17:00 in Oslo: a start at the deadline belongs to the next day
    expect(endOfDayAfter(Date.UTC(2027, 0, 4, 16, 0), "17:00", OSLO)).toBe(Date.UTC(2027, 0, 5, 16, 0));
  });

  it("handles the days clocks change (last Sunday of March and October 2027)", () => {
    expect(endOfDayAfter(Date.UTC(2027, 2, 28, 0, 30), "17:00", OSLO)).toBe(Date.UTC(2027, 2, 28, 15, 0));
    expect(endOfDayAfter(Date.UTC(2027, 9, 31, 0, 30), "17:00", OSLO)).toBe(Date.UTC(2027, 9, 31, 16, 0));
    // 02:30 does not exist on 28 March in Oslo; the later reading (03:30 CEST = 01:30 UTC) is taken
    expect(instantOfWallTime(2027, 3, 28, 2, 30, OSLO)).toBe(Date.UTC(2027, 2, 28, 1, 30));
  });

  it("works in UTC and across a month end", () => {
    expect(endOfDayAfter(Date.UTC(2027, 0, 31, 23, 0), "06:00", "UTC")).toBe(Date.UTC(2027, 1, 1, 6, 0));
  });

  it("rejects an unknown time zone with the expected form", () => {
    expect(() => assertTimeZone("Europe/Raufoss")).toThrow(
      /unknown time zone "Europe\/Raufoss": expected an IANA name/,
    );
    expect(() => assertTimeZone(OSLO)).not.toThrow();
  });
});
