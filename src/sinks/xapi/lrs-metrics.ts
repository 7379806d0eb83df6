import { Counter, Gauge, type Registry } from "prom-client";
import { countIncrease } from "../../core/count-increase.ts";
import type { LrsSinkStats } from "./lrs-sink.ts";

// The xAPI push on /metrics, read at scrape time like the outbox metrics (the
// delivery loop never touches prom-client). The outbox's own per-sink metrics
// (maskinport_outbox_*{sink="xapi"}: backlog, lag) come from
// registerOutboxMetrics once "xapi" is a member of the shared log.

/** What the feed (ledger → outbox, src/evidence/xapi/lrs-feed.ts) reports. */
export type LrsFeedStatsSource = { stats: { enqueued: number; skipped: number; position: number } };
export type LrsSinkStatsSource = { stats: LrsSinkStats };

export type LrsMetricSources = { sink?: LrsSinkStatsSource; feed?: LrsFeedStatsSource };

const SINK_COUNTERS: [keyof Omit<LrsSinkStats, "healthy">, string, string][] = [
  ["sent", "maskinport_xapi_statements_sent_total", "Statements the LRS stored (resends count again)"],
  ["requests", "maskinport_xapi_requests_total", "Requests to the LRS answered 200/204"],
  ["failures", "maskinport_xapi_request_failures_total", "Failed LRS requests (retried with backoff)"],
  [
    "conflicts",
    "maskinport_xapi_conflicts_total",
    "Statements the LRS already held differently under the same id",
  ],
  [
    "rejected",
    "maskinport_xapi_statements_rejected_total",
    "Statements the LRS refused as invalid (dead-lettered)",
  ],
];

export function registerLrsMetrics(registry: Registry, source: () => LrsMetricSources): void {
  const registers = [registry];
  // Counters follow the components' own counts; a restarted component counts from zero again.
  const delta = countIncrease();
  for (const [field, name, help] of SINK_COUNTERS) {
    new Counter({
      name,
      help,
      registers,
      collect() {
        const s = source().sink;
        if (s) this.inc(delta(field, s.stats[field]));
      },
    });
  }
  new Gauge({
    name: "maskinport_xapi_lrs_up",
    help: "1 while the last LRS request succeeded (or none failed yet), 0 during an outage",
    registers,
    collect() {
      const s = source().sink;
      if (s) this.set(s.stats.healthy ? 1 : 0);
    },
  });
  new Counter({
    name: "maskinport_xapi_statements_enqueued_total",
    help: "Statements made from ledger records and written to the outbox",
    registers,
    collect() {
      const f = source().feed;
      if (f) this.inc(delta("enqueued", f.stats.enqueued));
    },
  });
  new Counter({
    name: "maskinport_xapi_records_skipped_total",
    help: "Ledger records that gave no statement to push (notes, erasures, erased subjects, invalid)",
    registers,
    collect() {
      const f = source().feed;
      if (f) this.inc(delta("skipped", f.stats.skipped));
    },
  });
  new Gauge({
    name: "maskinport_xapi_feed_ledger_seq",
    help: "Ledger seq up to which records have been turned into statements in the outbox",
    registers,
    collect() {
      const f = source().feed;
      if (f) this.set(f.stats.position);
    },
  });
}
