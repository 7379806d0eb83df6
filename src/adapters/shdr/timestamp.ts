// SHDR timestamps: ISO 8601 with seconds, `YYYY-MM-DDTHH:MM:SS[.f…][Z|±HH:MM]`,
// read by the one ISO parser in src/core (a missing zone means UTC). A cppagent
// `@duration` suffix is accepted and ignored.
import { type IsoTimestampRules, parseIsoTimestamp } from "../../core/iso-timestamp.ts";

const SHDR_TIMESTAMP: IsoTimestampRules = { secondsRequired: true, zoneRequired: false };

/** Milliseconds since the epoch (sub-millisecond digits truncated), or undefined when not a valid timestamp. */
export function parseShdrTimestamp(text: string): number | undefined {
  const at = text.indexOf("@");
  return parseIsoTimestamp(text, SHDR_TIMESTAMP, at < 0 ? text.length : at);
}
