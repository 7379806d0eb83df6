import type { Reading } from "../core/observation.ts";
import { ROLE, type SignalEntry } from "./signal-entry.ts";

/**
 * Dedupe: a reading that repeats the signal's last kept value (and quality)
 * carries no news and is dropped. Adapters re-send a lot: an SHDR adapter
 * repeats its full snapshot on every reconnect, MTConnect `/current` polls
 * repeat every item.
 *
 * Never dropped:
 * - `alarm` readings: each one is a step in an alarm's life cycle, handled
 *   per native code by alarms.ts.
 * - the first reading of a signal (the entry's value is still `undefined`).
 * - a value re-sent after the machine was offline: going offline sets every
 *   signal to null (availability.ts), so the re-sent value is a change.
 * A change of quality alone is news too (good → bad with the same value).
 */
export function isRepeat(last: SignalEntry, r: Reading): boolean {
  return last.role !== ROLE.alarm && last.value === r.value && last.quality === r.quality;
}
