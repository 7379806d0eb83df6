import type { ObservationValue } from "../core/observation.ts";
import { ROLE, type SignalEntry } from "./signal-entry.ts";

/**
 * `availability` UNAVAILABLE (or null / false) means the machine or its
 * adapter cannot be reached. Anything else, including a machine that never
 * reported availability but sends data, counts as reachable.
 */
export function isUnavailable(value: ObservationValue | undefined): boolean {
  return value === null || value === "UNAVAILABLE" || value === false;
}

/**
 * Unavailable means unknown (the SHDR/MTConnect convention: an agent sets
 * every item of a lost adapter UNAVAILABLE). When a machine goes offline,
 * every other known signal becomes null at `ts`; `onForgotten` is called for
 * each entry that changed so the pipeline can emit a null observation for it
 * (per-signal MQTT topics and the time series must not keep a stale value).
 * It also makes a value re-sent after reconnect pass dedupe.
 * The `alarm` entry holds no value (alarms.ts clears the alarms themselves).
 */
export function forgetSignals(
  entries: Iterable<SignalEntry>,
  ts: number,
  onForgotten: (entry: SignalEntry) => void,
): void {
  for (const entry of entries) {
    if (entry.role === ROLE.availability || entry.role === ROLE.alarm) continue;
    if (entry.value === null || entry.value === undefined) continue;
    entry.value = null;
    entry.ts = ts;
    onForgotten(entry);
  }
}
