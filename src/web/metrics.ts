import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AdapterStats } from "../core/contracts.ts";
import { countIncrease } from "../core/count-increase.ts";
import { MACHINE_STATES, type MachineStateName } from "../core/events.ts";

// The gateway's Prometheus metrics, all named maskinport_*. Process and
// Node.js metrics keep their standard names (process_*, nodejs_*) so stock
// dashboards work. The gateway updates these; the web layer only serves them.

/** What the metrics need to know about an adapter (a subset of core's Adapter). */
export type AdapterStatsSource = { id: string; protocol: string; stats: AdapterStats };
/** What the metrics need to know about a sink (a subset of core's Sink). */
export type SinkQueueSource = { name: string; queueDepth(): number };

export type Metrics = {
  registry: Registry;
  /** Readings emitted, by adapter and protocol. */
  observations: Counter<"adapter" | "protocol">;
  /** Keys an adapter could not map to the catalogue (they still flow as raw.<key>). */
  unmapped: Counter<"adapter">;
  /** Input items an adapter dropped at a safety bound (e.g. SHDR keys beyond maxKeys). */
  adapterDropped: Counter<"adapter">;
  /** Bad input and connection errors, by adapter. */
  adapterErrors: Counter<"adapter">;
  /** Connections (re)established, by adapter. */
  adapterConnects: Counter<"adapter">;
  /** 1 while the adapter is connected to its machine or agent, else 0. */
  connected: Gauge<"adapter">;
  /** Items buffered in a sink (or its outbox) but not yet delivered. */
  queueDepth: Gauge<"sink">;
  /** Failed deliveries (the items stay queued and are retried). */
  sinkErrors: Counter<"sink">;
  /** Events emitted by the pipeline, by type (cycle.end, alarm.raise …). */
  events: Counter<"type">;
  /** 1 for the state each machine is in, 0 for the others. */
  machineState: Gauge<"machine" | "state">;
  /** Time the pipeline spends on one batch of readings. */
  pipelineBatchSeconds: Histogram;
  /**
   * Pull adapter counters at scrape time instead of pushing every increment:
   * `observations`, `unmapped`, `adapterErrors`, `adapterConnects` and
   * `connected` then follow each adapter's own `stats`. Use this or inc() the
   * counters yourself, not both. A restarted adapter (new stats object, counts
   * back at zero) is handled: counters never go backwards.
   */
  trackAdapters(source: () => Iterable<AdapterStatsSource>): void;
  /** Pull every sink's queue depth at scrape time into `queueDepth`. */
  trackSinks(source: () => Iterable<SinkQueueSource>): void;
  /** Set `machineState` for one machine: its state 1, every other state 0. */
  setMachineState(machine: string, state: MachineStateName): void;
};

type CountedField = "readings" | "unmapped" | "errors" | "connects" | "dropped";

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  // prom-client samples event-loop lag every 10 ms by default: 6 ms of CPU
  // per second on an idle gateway (measured), which on a small shop-floor PC
  // is most of what the gateway spends at 1,000 changes/s. Every 50 ms still
  // shows a stalled loop and costs 2.5 ms per second.
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 50 });
  const registers = [registry];

  let adapterSource: (() => Iterable<AdapterStatsSource>) | undefined;
  let sinkSource: (() => Iterable<SinkQueueSource>) | undefined;
  // Per adapter and field, so a scrape adds only what is new.
  const increase = countIncrease();

  const syncAdapters = () => {
    if (adapterSource === undefined) return;
    for (const adapter of adapterSource()) {
      const labels = { adapter: adapter.id };
      addDelta(adapter, "readings", (n) =>
        metrics.observations.inc({ ...labels, protocol: adapter.protocol }, n),
      );
      addDelta(adapter, "unmapped", (n) => metrics.unmapped.inc(labels, n));
      addDelta(adapter, "errors", (n) => metrics.adapterErrors.inc(labels, n));
      addDelta(adapter, "connects", (n) => metrics.adapterConnects.inc(labels, n));
      addDelta(adapter, "dropped", (n) => metrics.adapterDropped.inc(labels, n));
      metrics.connected.set(labels, adapter.stats.connected ? 1 : 0);
    }
  };
  const addDelta = (adapter: AdapterStatsSource, field: CountedField, inc: (n: number) => void) => {
    // A recreated adapter counts from zero again (count-increase.ts).
    const delta = increase(`${adapter.id}\u0000${field}`, adapter.stats[field] ?? 0);
    if (delta > 0) inc(delta);
  };

  const metrics: Metrics = {
    registry,
    observations: new Counter({
      name: "maskinport_observations_total",
      help: "Readings emitted by adapters",
      labelNames: ["adapter", "protocol"] as const,
      registers,
      collect: syncAdapters,
    }),
    unmapped: new Counter({
      name: "maskinport_unmapped_total",
      help: "Protocol keys an adapter could not map to the signal catalogue (forwarded as raw.<key>)",
      labelNames: ["adapter"] as const,
      registers,
      collect: syncAdapters,
    }),
    adapterErrors: new Counter({
      name: "maskinport_adapter_errors_total",
      help: "Bad input or connection errors seen by an adapter",
      labelNames: ["adapter"] as const,
      registers,
      collect: syncAdapters,
    }),
    adapterDropped: new Counter({
      name: "maskinport_adapter_dropped_total",
      help: "Input items an adapter dropped at a safety bound (e.g. SHDR keys beyond monitor.maxKeys)",
      labelNames: ["adapter"] as const,
      registers,
      collect: syncAdapters,
    }),
    adapterConnects: new Counter({
      name: "maskinport_adapter_connects_total",
      help: "Connections an adapter has (re)established",
      labelNames: ["adapter"] as const,
      registers,
      collect: syncAdapters,
    }),
    connected: new Gauge({
      name: "maskinport_adapter_connected",
      help: "1 while the adapter is connected to its machine or agent, else 0",
      labelNames: ["adapter"] as const,
      registers,
      collect: syncAdapters,
    }),
    queueDepth: new Gauge({
      name: "maskinport_sink_queue_depth",
      help: "Items buffered in a sink or its outbox, not yet delivered",
      labelNames: ["sink"] as const,
      registers,
      collect() {
        if (sinkSource === undefined) return;
        for (const sink of sinkSource()) this.set({ sink: sink.name }, sink.queueDepth());
      },
    }),
    sinkErrors: new Counter({
      name: "maskinport_sink_errors_total",
      help: "Failed sink deliveries (items stay queued and are retried)",
      labelNames: ["sink"] as const,
      registers,
    }),
    events: new Counter({
      name: "maskinport_events_total",
      help: "Machine events emitted by the pipeline, by type",
      labelNames: ["type"] as const,
      registers,
    }),
    machineState: new Gauge({
      name: "maskinport_machine_state",
      help: "1 for the state a machine is in, 0 for the others",
      labelNames: ["machine", "state"] as const,
      registers,
    }),
    pipelineBatchSeconds: new Histogram({
      name: "maskinport_pipeline_batch_seconds",
      help: "Time to process one batch of readings through the pipeline",
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    }),
    trackAdapters(source) {
      adapterSource = source;
    },
    trackSinks(source) {
      sinkSource = source;
    },
    setMachineState(machine, state) {
      for (const s of MACHINE_STATES) metrics.machineState.set({ machine, state: s }, s === state ? 1 : 0);
    },
  };
  return metrics;
}
