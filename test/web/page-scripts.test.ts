import { describe, expect, it } from "vitest";
import { DICTIONARY } from "../../src/web/i18n.ts";
import { createNumberFormatter, createTimeFormatter, formatDuration } from "../../src/web/public/format.js";
import { createTranslator, pickLanguage } from "../../src/web/public/i18n.js";
import { balance, fitGrid } from "../../src/web/public/layout.js";
import { sparklinePaths, trimSamples } from "../../src/web/public/sparkline.js";

// The page's pure helpers (plain browser modules) run in Node too.

const nb = createTranslator(DICTIONARY, "nb");
const en = createTranslator(DICTIONARY, "en");

describe("formatDuration", () => {
  it.each([
    [0, "0 s", "0 s"],
    [59_999, "59 s", "59 s"],
    [754_000, "12 min 34 s", "12 min 34 s"],
    [2 * 3_600_000 + 5 * 60_000 + 9_000, "2 t 5 min", "2 h 5 min"],
    [3 * 86_400_000 + 4 * 3_600_000, "3 d 4 t", "3 d 4 h"],
    [-5000, "0 s", "0 s"],
  ])("%i ms → %s / %s", (ms, inNb, inEn) => {
    expect(formatDuration(ms, nb)).toBe(inNb);
    expect(formatDuration(ms, en)).toBe(inEn);
  });
});

describe("time and number formatting", () => {
  it("shows times in the site's zone, with the date only when not today", () => {
    const time = createTimeFormatter("nb", "Europe/Oslo");
    const ts = Date.UTC(2025, 0, 15, 12, 4, 5); // 13:04:05 in Oslo (CET)
    expect(time.clock(ts)).toBe("13:04:05");
    expect(time.since(ts, ts + 3_600_000)).toBe("13:04:05");
    expect(time.since(ts, ts + 86_400_000)).toBe("15.01.2025, 13:04");
    expect(createTimeFormatter("en", "Europe/Oslo").since(ts, ts + 86_400_000)).toBe("15/01/2025, 13:04");
  });

  it("groups digits the local way and shows – for missing values", () => {
    expect(createNumberFormatter("nb")(2400).replace(/\s/g, " ")).toBe("2 400");
    expect(createNumberFormatter("en")(2400)).toBe("2,400");
    expect(createNumberFormatter("nb")(null)).toBe("–");
    expect(createNumberFormatter("nb")("ACTIVE")).toBe("–");
  });
});

describe("page i18n", () => {
  it("falls back to nb, then to the key", () => {
    const t = createTranslator({ nb: { a: "A {x}" }, en: {} }, "en");
    expect(t("a", { x: 1 })).toBe("A 1");
    expect(t("missing")).toBe("missing");
  });

  it("picks ?lang= over the saved choice over the default", () => {
    expect(pickLanguage(["nb", "en"], "nb", "?lang=en", "nb")).toBe("en");
    expect(pickLanguage(["nb", "en"], "nb", "?lang=de", "en")).toBe("en");
    expect(pickLanguage(["nb", "en"], "nb", "", null)).toBe("nb");
  });
});

describe("sparklinePaths", () => {
  const box = { now: 10_000, windowMs: 10_000, width: 100, height: 10 };

  it("draws steps across the window up to now", () => {
    const paths = sparklinePaths(
      [
        { ts: 0, value: 0 },
        { ts: 5000, value: 1000 },
      ],
      box,
    );
    expect(paths!.peak).toBe(1000);
    expect(paths!.line).toBe("M0 10H50V0.9H100");
  });

  it("breaks the line where the machine was unavailable", () => {
    const paths = sparklinePaths(
      [
        { ts: 0, value: 500 },
        { ts: 4000, value: null },
        { ts: 6000, value: 500 },
      ],
      box,
    );
    expect(paths!.line.match(/M/g)).toHaveLength(2);
  });

  it("returns null when there is nothing to draw", () => {
    expect(sparklinePaths([], box)).toBeNull();
    expect(sparklinePaths([{ ts: 1, value: null }], box)).toBeNull();
  });

  it("keeps the last sample before the window, which still holds at its start", () => {
    const kept = trimSamples(
      [
        { ts: 1, value: 1 },
        { ts: 2, value: 2 },
        { ts: 50, value: 3 },
      ],
      10,
    );
    expect(kept.map((s) => s.ts)).toEqual([2, 50]);
  });
});

describe("fitGrid", () => {
  const base = { baseWidth: 380, baseHeight: 400, gap: 20, minScale: 0.8, maxScale: 2.2 };

  it("balances rows: six cards on a full-HD screen are 3 + 3", () => {
    expect(fitGrid({ count: 6, width: 1880, height: 980, ...base }).columns).toBe(3);
    expect(balance(6, 4)).toBe(3);
    expect(balance(7, 4)).toBe(4);
  });

  it("scales cards up to fill a large screen, within the limit", () => {
    const big = fitGrid({ count: 6, width: 3800, height: 2000, ...base });
    expect(big.fits).toBe(true);
    expect(big.scale).toBeGreaterThan(1.5);
    expect(fitGrid({ count: 1, width: 8000, height: 8000, ...base }).scale).toBe(2.2);
  });

  it("falls back to natural size and scrolling when the fleet cannot fit", () => {
    expect(fitGrid({ count: 40, width: 1880, height: 980, ...base })).toEqual({
      columns: 4,
      scale: 1,
      fits: false,
    });
  });

  it("uses one column on a phone", () => {
    expect(fitGrid({ count: 6, width: 360, height: 700, ...base }).columns).toBe(1);
  });
});
