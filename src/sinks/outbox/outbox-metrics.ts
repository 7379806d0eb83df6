import { Counter, Gauge, type Registry } from "prom-client";
import { countIncrease } from "../../core/count-increase.ts";
import type { Outbox } from "./outbox-types.ts";

// The outboxes on /metrics, read from each sink's view of the log at scrape
// time (the hot path never touches prom-client). Names: maskinport_outbox_*,
// label `sink` (mqtt, influx): per sink its depth, bytes, lag and counters;
// paused and full_episodes describe the shared log (same value for every
// sink); maskinport_outbox_disk_bytes is the log's size (what outbox.maxBytes
// bounds).

type MetricSource = Pick<Outbox, "name" | "stats" | "depth" | "oldestAgeMs">;

type CounterField = "appended" | "delivered" | "dropped" | "rejected" | "writeErrors";

const COUNTERS: [CounterField, string, string][] = [
  [
    "appended",
    "maskinport_outbox_appended_items_total",
    "Items (observations, events, messages) written to the outbox",
  ],
  [
    "delivered",
    "maskinport_outbox_delivered_items_total",
    "Items the broker/database acknowledged and the outbox let go",
  ],
  [
    "dropped",
    "maskinport_outbox_dropped_items_total",
    "Undelivered items deleted because the outbox was full (whenFull: drop-oldest)",
  ],
  [
    "rejected",
    "maskinport_outbox_rejected_items_total",
    "Items refused because the outbox was full (whenFull: pause, headroom used up) or the disk failed",
  ],
  [
    "writeErrors",
    "maskinport_outbox_write_errors_total",
    "Failed outbox disk writes of records holding this sink's data (kept in memory and retried)",
  ],
];

/**
 * Register the outbox metrics on `registry`; `source` lists the sinks' outboxes
 * at scrape time, `logs` the shared logs (their size on disk).
 */
export function registerOutboxMetrics(
  registry: Registry,
  source: () => Iterable<MetricSource>,
  logs: () => Iterable<{ diskBytes(): number }> = () => [],
): void {
  const registers = [registry];
  // Per outbox and field, so a scrape adds only what is new (a reopened outbox counts from zero).
  const increase = countIncrease();
  const counters = new Map<CounterField, Counter<"sink">>();
  const sync = (): void => {
    for (const ob of source()) {
      for (const [field] of COUNTERS) {
        const delta = increase(`${ob.name}\u0000${field}`, ob.stats[field]);
        if (delta > 0) counters.get(field)!.inc({ sink: ob.name }, delta);
      }
    }
  };
  for (const [field, name, help] of COUNTERS) {
    counters.set(field, new Counter({ name, help, labelNames: ["sink"] as const, registers, collect: sync }));
  }
  const gauge = (name: string, help: string, value: (ob: MetricSource) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["sink"] as const,
      registers,
      collect() {
        for (const ob of source()) this.set({ sink: ob.name }, value(ob));
      },
    });
  gauge("maskinport_outbox_items", "Undelivered items in the outbox (on disk and in memory)", (ob) =>
    ob.depth(),
  );
  gauge("maskinport_outbox_bytes", "Undelivered bytes of this sink's data on disk", (ob) => ob.stats.bytes);
  gauge(
    "maskinport_outbox_oldest_age_seconds",
    "Age of the oldest undelivered entry",
    (ob) => ob.oldestAgeMs() / 1000,
  );
  gauge(
    "maskinport_outbox_paused",
    "1 while the shared outbox log is full and asks for intake to pause (whenFull: pause)",
    (ob) => (ob.stats.paused ? 1 : 0),
  );
  gauge(
    "maskinport_outbox_full_episodes",
    "Times the shared outbox log reached outbox.maxBytes since start",
    (ob) => ob.stats.fullEpisodes,
  );
  new Gauge({
    name: "maskinport_outbox_disk_bytes",
    help: "Size of the shared outbox log on disk (bounded by outbox.maxBytes)",
    registers,
    collect() {
      let bytes = 0;
      for (const log of logs()) bytes += log.diskBytes();
      this.set(bytes);
    },
  });
}
