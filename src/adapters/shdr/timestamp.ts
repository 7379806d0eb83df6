// SHDR timestamps: ISO 8601 `YYYY-MM-DDTHH:MM:SS[.f…][Z|±HH:MM]`. .NET
// adapters (Okuma) send 7 fractional digits, others 0–6; a missing zone means
// UTC (the MTConnect standard's time base), never local time as Date.parse
// would assume. A cppagent `@duration` suffix is accepted and ignored.
// Hand-written on char codes because it runs once per line at ≥500k lines/s.

const ZERO = 48;

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Milliseconds since the epoch (sub-millisecond digits truncated), or undefined when not a valid timestamp. */
export function parseShdrTimestamp(text: string): number | undefined {
  let end = text.indexOf("@");
  if (end < 0) end = text.length;
  if (end < 19) return undefined;
  const c = (at: number) => text.charCodeAt(at);
  // Fixed separators: 2022-08-08T13:51:34
  if (
    c(4) !== 45 ||
    c(7) !== 45 ||
    (c(10) !== 84 && c(10) !== 116 && c(10) !== 32) ||
    c(13) !== 58 ||
    c(16) !== 58
  ) {
    return undefined;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23) {
    return undefined;
  }
  if (minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  let i = 19;
  let ms = 0;
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
  let offsetMin = 0;
  if (i < end) {
    const z = c(i);
    if ((z === 90 || z === 122) && i + 1 === end) {
      i++;
    } else if (z === 43 || z === 45) {
      const oh = digits(text, i + 1, 2);
      let j = i + 3;
      if (j < end && c(j) === 58) j++;
      const om = j < end ? digits(text, j, 2) : 0;
      if (oh < 0 || oh > 23 || om < 0 || om > 59 || (j < end && j + 2 !== end)) return undefined;
      offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
      i = end;
    } else {
      return undefined;
    }
  }
  if (i !== end) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Date.UTC would roll 2022-02-31 over to March: such a day is rejected instead. */
function daysIn(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS[month - 1] ?? 31;
}
