// MTConnect timestamps are ISO 8601, but real agents vary: 1.x agents (e.g. the
// NIST test bed's) omit the `Z`, .NET adapters send 7 fractional digits, and
// some send an offset. The standard says UTC, so a missing zone means UTC —
// Date.parse would read it as local time instead, hence this parser.

const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?(Z|[+-]\d\d(?::?\d\d)?)?$/i;

/** Milliseconds since the epoch (sub-millisecond digits are truncated), or undefined if not a timestamp. */
export function parseMtTimestamp(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [month, day, hour, minute, second] = [
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  const frac = m[7] ?? "";
  const ms =
    frac.length === 0 ? 0 : Number(`${frac.slice(0, 3)}${"00".slice(0, Math.max(0, 3 - frac.length))}`);
  let t = Date.UTC(Number(m[1]), month - 1, day, hour, minute, second, ms);
  const zone = m[8];
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
    t -= sign * offsetMin * 60_000;
  }
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Agents stamp a whole batch with the same time, so the last parse is cached:
 * in a /sample stream most observations hit it.
 */
export class TimestampCache {
  private lastText = "";
  private lastValue: number | undefined;

  parse(text: string): number | undefined {
    if (text !== this.lastText) {
      this.lastText = text;
      this.lastValue = parseMtTimestamp(text);
    }
    return this.lastValue;
  }
}
