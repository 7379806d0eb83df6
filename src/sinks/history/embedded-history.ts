import type { EmbeddedTimeseries } from "../timeseries/embedded-timeseries.ts";
import type { HistoryStore } from "./history.ts";

/** The embedded SQLite store behind the history interface (its queries are synchronous). */
export function embeddedHistory(store: EmbeddedTimeseries): HistoryStore {
  return {
    kind: "embedded",
    range: async (q) => store.range(q),
    stateTimeline: async (q) => store.stateTimeline(q),
    cycles: async (q) => store.cycles(q),
    alarms: async (q) => store.alarms(q),
    transfers: async (q) => store.transfers(q),
  };
}
