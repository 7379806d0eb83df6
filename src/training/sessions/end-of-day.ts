// "17:00 in Europe/Oslo" as an instant, without a date library: the offset
// of a zone at an instant comes from Intl, and a wall time is found by
// guessing with the offset at the guess and correcting once (enough across
// a DST change, because offsets differ by at most a few hours).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

type WallTime = { year: number; month: number; day: number; hour: number; minute: number; second: number };

export function wallTimeAt(ts: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ts))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function offsetAt(ts: number, timeZone: string): number {
  const w = wallTimeAt(ts, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ts - (((ts % 1000) + 1000) % 1000));
}

/** The instant when the wall clock in `timeZone` shows this date and time (the later one in a DST gap). */
export function instantOfWallTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  const first = naive - offsetAt(naive, timeZone);
  return naive - offsetAt(first, timeZone);
}

/**
 * The end of the course day a session started at `startedAt` belongs to:
 * `hhmm` on the local date of the start, or, for a session started after
 * that time (an evening session), `hhmm` the next day.
 */
export function endOfDayAfter(startedAt: number, hhmm: string, timeZone: string): number {
  const [hour, minute] = hhmm.split(":").map(Number) as [number, number];
  const w = wallTimeAt(startedAt, timeZone);
  const sameDay = instantOfWallTime(w.year, w.month, w.day, hour, minute, timeZone);
  if (sameDay > startedAt) return sameDay;
  const next = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
  return instantOfWallTime(
    next.getUTCFullYear(),
    next.getUTCMonth() + 1,
    next.getUTCDate(),
    hour,
    minute,
    timeZone,
  );
}

/** Throws a clear error for a time zone Intl does not know (checked once at start). */
export function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new Error(`unknown time zone "${timeZone}": expected an IANA name like Europe/Oslo`);
  }
}
