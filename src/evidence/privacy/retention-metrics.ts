import { Counter, Gauge, type Registry } from "prom-client";
import type { RetentionStats } from "./retention-scheduler.ts";

// The retention scheduler on /metrics, read at scrape time. A run that failed
// shows as a growing failures counter and a last-success time that stops moving.

export function registerRetentionMetrics(
  registry: Registry,
  source: () => { stats: RetentionStats } | undefined,
): void {
  const registers = [registry];
  const seen = new Map<string, number>();
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
        const now = s.stats[field];
        const before = seen.get(field) ?? 0;
        seen.set(field, now);
        const delta = now >= before ? now - before : now;
        if (delta > 0) this.inc(delta);
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
