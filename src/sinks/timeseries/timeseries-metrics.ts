import { Counter, type Registry } from "prom-client";
import type { TimeseriesStats } from "./embedded-timeseries.ts";

// The embedded store on /metrics, read from its stats at scrape time (the
// write path never touches prom-client). Its queue depth is already on
// maskinport_sink_queue_depth{sink="timeseries"}.

const COUNTERS: [keyof TimeseriesStats, string, string][] = [
  ["rows", "maskinport_timeseries_rows_total", "Signal rows committed to the embedded store"],
  ["flushes", "maskinport_timeseries_commits_total", "Transactions committed to the embedded store"],
  [
    "errors",
    "maskinport_timeseries_write_errors_total",
    "Failed commits to the embedded store (rows kept and retried; the log names the cause)",
  ],
  [
    "dropped",
    "maskinport_timeseries_dropped_rows_total",
    "Rows the embedded store gave up: its buffer overflowed while writes failed, or its thread died",
  ],
];

/** Register the store's counters on `registry`; `source` is the store (or nothing) at scrape time. */
export function registerTimeseriesMetrics(
  registry: Registry,
  source: () => { stats: TimeseriesStats } | undefined,
): void {
  const seen = new Map<keyof TimeseriesStats, number>();
  for (const [field, name, help] of COUNTERS) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = source()?.stats[field];
        if (now === undefined) return;
        const before = seen.get(field) ?? 0;
        seen.set(field, now);
        if (now > before) this.inc(now - before);
      },
    });
  }
}
