// Formatting for the live page: durations, times in the site's zone, numbers.
// Pure functions (no DOM), so they are tested in Node as well.

import { LOCALES } from "./i18n.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** @import { Translate } from "./i18n.js" */

/**
 * "42 s", "12 min 3 s", "2 t 5 min", "3 d 4 t": precise while short, coarse once long.
 * @param {number} ms
 * @param {Translate} t
 */
export function formatDuration(ms, t) {
  const total = Math.max(0, Math.floor(ms / SECOND)) * SECOND;
  if (total < MINUTE) return t("duration.seconds", { s: total / SECOND });
  if (total < HOUR) {
    return t("duration.minutes", { m: Math.floor(total / MINUTE), s: Math.floor((total % MINUTE) / SECOND) });
  }
  if (total < DAY) {
    return t("duration.hours", { h: Math.floor(total / HOUR), m: Math.floor((total % HOUR) / MINUTE) });
  }
  return t("duration.days", { d: Math.floor(total / DAY), h: Math.floor((total % DAY) / HOUR) });
}

/**
 * Formats times in the site's time zone (not the browser's: a phone set to
 * another zone must still show workshop time). Today: "13:04:12"; earlier:
 * "24.11.2025, 13:04".
 * @param {string} language
 * @param {string} timeZone IANA zone
 * @returns {{ clock(ts: number): string, since(ts: number, now: number): string }}
 */
export function createTimeFormatter(language, timeZone) {
  const locale = LOCALES[language] ?? language;
  const clock = new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const dated = new Intl.DateTimeFormat(locale, {
    timeZone,
    dateStyle: "short",
    timeStyle: "short",
    hourCycle: "h23",
  });
  const day = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  return {
    clock: (ts) => clock.format(ts),
    since: (ts, now) => (day.format(ts) === day.format(now) ? clock.format(ts) : dated.format(ts)),
  };
}

/**
 * Numbers with the language's grouping ("2 400" in nb); "–" for missing values.
 * @param {string} language
 * @returns {(value: unknown) => string}
 */
export function createNumberFormatter(language) {
  const locale = LOCALES[language] ?? language;
  const whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  return (value) => (typeof value === "number" && Number.isFinite(value) ? whole.format(value) : "–");
}
