// ISO 8601 date-times as machines and people send them:
// `YYYY-MM-DD[T| ]HH:MM[:SS[.f…]][Z|±HH[[:]MM]]`. One parser for every place
// that reads one (SHDR lines, MTConnect documents, the web API's time
// parameters), because they must agree on what a time means:
// - a missing zone means UTC (the MTConnect standard's time base), never the
//   local time Date.parse would assume; where a zone must be given, `rules` say so;
// - .NET adapters (Okuma) send 7 fractional digits, others 0–6: digits past
//   the millisecond are truncated, never rounded into the next millisecond;
// - a day the month does not have (2022-02-30) is refused, where Date.UTC
//   would roll it over into March.
// Hand-written on char codes because SHDR calls it once per line at ≥500k lines/s.

export type IsoTimestampRules = {
  /** `2022-08-08T13:51` (no seconds) is refused; otherwise it is read as 13:51:00. */
  readonly secondsRequired: boolean;
  /** A time without `Z` or an offset is refused; otherwise it is read as UTC. */
  readonly zoneRequired: boolean;
};

/** Seconds may be left out, a missing zone means UTC. */
export const LENIENT_ISO_TIMESTAMP: IsoTimestampRules = { secondsRequired: false, zoneRequired: false };

const ZERO = 48;
const DASH = 45;
const COLON = 58;
const PLUS = 43;

/** The `n`-digit number at `at`, or -1 when a character there is not a digit or lies at/after `end`. */
function digits(s: string, at: number, n: number, end: number): number {
  if (at + n > end) return -1;
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Milliseconds since the epoch of `text` up to `end` (sub-millisecond digits
 * truncated), or undefined when it is not a valid timestamp under `rules`.
 */
export function parseIsoTimestamp(
  text: string,
  rules: IsoTimestampRules = LENIENT_ISO_TIMESTAMP,
  end = text.length,
): number | undefined {
  if (end < 16) return undefined;
  const c = (at: number) => text.charCodeAt(at);
  // Fixed separators: 2022-08-08T13:51
  const t = c(10);
  if (c(4) !== DASH || c(7) !== DASH || (t !== 84 && t !== 116 && t !== 32) || c(13) !== COLON) {
    return undefined;
  }
  const year = digits(text, 0, 4, end);
  const month = digits(text, 5, 2, end);
  const day = digits(text, 8, 2, end);
  const hour = digits(text, 11, 2, end);
  const minute = digits(text, 14, 2, end);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  let i = 16;
  let second = 0;
  let ms = 0;
  if (i < end && c(i) === COLON) {
    second = digits(text, 17, 2, end);
    if (second < 0 || second > 60) return undefined;
    i = 19;
    if (i < end && (c(i) === 46 || c(i) === 44)) {
      i++;
      const start = i;
      let scale = 100;
      while (i < end) {
        const d = c(i) - ZERO;
        if (d < 0 || d > 9) break;
        if (scale >= 1) ms += d * scale;
        scale /= 10;
        i++;
      }
      if (i === start) return undefined;
    }
  } else if (rules.secondsRequired) {
    return undefined;
  }
  let offsetMin = 0;
  if (i === end) {
    if (rules.zoneRequired) return undefined;
  } else {
    const z = c(i);
    if ((z === 90 || z === 122) && i + 1 === end) {
      i++;
    } else if (z === PLUS || z === DASH) {
      // ±HH, ±HHMM or ±HH:MM, and nothing after it.
      const oh = digits(text, i + 1, 2, end);
      let j = i + 3;
      if (j < end && c(j) === COLON) j++;
      const om = j === i + 3 && j === end ? 0 : digits(text, j, 2, end);
      if (oh < 0 || oh > 23 || om < 0 || om > 59 || (j !== end && j + 2 !== end)) return undefined;
      offsetMin = (z === DASH ? -1 : 1) * (oh * 60 + om);
      i = end;
    } else {
      return undefined;
    }
  }
  if (i !== end) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Date.UTC would roll 2022-02-31 over to March: such a day is refused instead. */
function daysIn(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS[month - 1] ?? 31;
}
