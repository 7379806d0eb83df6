import { Counter, Gauge, type Registry } from "prom-client";
import { countIncrease } from "../../core/count-increase.ts";
import type { PendingDraftsStats } from "./pending-drafts.ts";

// The held evidence drafts on /metrics, read at scrape time. Counts only: a
// draft names its trainee, a metric never does.

export function registerPendingDraftsMetrics(
  registry: Registry,
  source: () => { stats: PendingDraftsStats } | undefined,
): void {
  const registers = [registry];
  // The increase of a stats counter since the last scrape (a new queue after a restart starts at 0).
  const delta = countIncrease();
  new Gauge({
    name: "maskinport_evidence_pending_drafts",
    help: "Evidence drafts waiting for the ledger (more than a moment: the ledger is unreachable)",
    registers,
    collect() {
      this.set(source()?.stats.pending ?? 0);
    },
  });
  new Counter({
    name: "maskinport_evidence_recorded_late_total",
    help: "Evidence drafts recorded after being held through a ledger outage",
    registers,
    collect() {
      const s = source();
      if (!s) return;
      const d = delta("late", s.stats.recordedLate);
      if (d > 0) this.inc(d);
    },
  });
  new Counter({
    name: "maskinport_evidence_dropped_drafts_total",
    help: "Evidence drafts given up: reason full (more held than the limit, oldest dropped) or rejected (invalid)",
    labelNames: ["reason"],
    registers,
    collect() {
      const s = source();
      if (!s) return;
      for (const [reason, now] of [
        ["full", s.stats.droppedFull],
        ["rejected", s.stats.rejected],
      ] as const) {
        const d = delta(reason, now);
        // Both series exist from the first scrape, so a rate() sees the first drop.
        this.inc({ reason }, d);
      }
    },
  });
}
