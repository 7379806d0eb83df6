import { Counter, Gauge, type Registry } from "prom-client";
import { countIncrease } from "../../core/count-increase.ts";
import type { RetentionStats } from "./retention-scheduler.ts";

// The retention scheduler on /metrics, read at scrape time. A run that failed
// shows as a growing failures counter and a last-success time that stops moving.

export function registerRetentionMetrics(
  registry: Registry,
  source: () => { stats: RetentionStats } | undefined,
): void {
  const registers = [registry];
  const delta = countIncrease();
  const counter = (
    name: string,
    help: string,
    field: "runs" | "failures" | "erased" | "sessionLinksDeleted",
  ) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        const s = source();
        if (!s) return;
        const d = delta(field, s.stats[field]);
        if (d > 0) this.inc(d);
      },
    });
  counter("maskinport_retention_runs_total", "Retention runs started (at start and daily)", "runs");
  counter(
    "maskinport_retention_failures_total",
    "Retention runs that failed (retried the next day)",
    "failures",
  );
  counter(
    "maskinport_retention_subjects_erased_total",
    "Trainees whose evidence was made anonymous by retention",
    "erased",
  );
  counter(
    "maskinport_retention_session_links_deleted_total",
    "Session rows (trainee ↔ machine ↔ time) deleted by retention",
    "sessionLinksDeleted",
  );
  new Gauge({
    name: "maskinport_retention_last_success_timestamp_seconds",
    help: "When the last retention run finished without error (0: none yet)",
    registers,
    collect() {
      const at = source()?.stats.lastSuccessAt;
      this.set(at === undefined ? 0 : at / 1000);
    },
  });
}
