// "The current shift" for the machine page: the latest shift start (local
// "HH:MM" times in the site's zone, from the page config) at or before now.
// Pure, DST-safe, tested in Node.

const HOUR_MS = 3_600_000;

/**
 * Offset of `timeZone` from UTC at instant `ts`, in ms (Oslo in summer: +2 h).
 * @param {number} ts
 * @param {string} timeZone
 */
function zoneOffset(ts, timeZone) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(ts);
  const n = (/** @type {Intl.DateTimeFormatPartTypes} */ type) =>
    Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return local - Math.floor(ts / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local date and time.
 * @param {number} year
 * @param {number} month 1–12
 * @param {number} day
 * @param {number} hour
 * @param {number} minute
 * @param {string} timeZone
 */
export function zonedInstant(year, month, day, hour, minute, timeZone) {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - zoneOffset(guess, timeZone);
  // Near a DST switch the offset at the result may differ from the offset at the guess.
  return guess - zoneOffset(first, timeZone);
}

/**
 * @param {number} now epoch ms
 * @param {string} timeZone IANA zone
 * @param {readonly string[]} starts "HH:MM" local shift starts
 * @returns {number} epoch ms of the current shift's start
 */
export function currentShiftStart(now, timeZone, starts) {
  const local = new Date(now + zoneOffset(now, timeZone));
  let best = now - 8 * HOUR_MS; // no shifts configured: the last eight hours
  for (const dayBack of [0, 1]) {
    const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - dayBack));
    for (const start of starts) {
      const [h, m] = start.split(":").map(Number);
      const ts = zonedInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), h, m, timeZone);
      if (ts <= now && (best === now - 8 * HOUR_MS || ts > best)) best = ts;
    }
  }
  return best;
}
