// MTConnect timestamps are ISO 8601, but real agents vary: 1.x agents (e.g. the
// NIST test bed's) omit the `Z`, .NET adapters send 7 fractional digits, and
// some send an offset. The standard says UTC, so a missing zone means UTC:
// the one ISO parser in src/core reads them all.
import { parseIsoTimestamp } from "../../core/iso-timestamp.ts";

/** Milliseconds since the epoch (sub-millisecond digits are truncated), or undefined if not a timestamp. */
export function parseMtTimestamp(text: string): number | undefined {
  return parseIsoTimestamp(text);
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
