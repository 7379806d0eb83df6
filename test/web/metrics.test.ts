import { describe, expect, it } from "vitest";
import { type AdapterStats, newAdapterStats } from "../../src/core/contracts.ts";
import { createMetrics } from "../../src/web/metrics.ts";

async function sample(
  metrics: ReturnType<typeof createMetrics>,
  name: string,
  labels: Record<string, string>,
) {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  const value = metric.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value;
}

describe("createMetrics", () => {
  it("names every metric of ours maskinport_* and includes process metrics", async () => {
    const metrics = createMetrics();
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    const ours = names.filter((n) => !n.startsWith("process_") && !n.startsWith("nodejs_"));
    expect(ours.length).toBeGreaterThanOrEqual(10);
    for (const name of ours) expect(name).toMatch(/^maskinport_/);
    expect(names).toContain("process_resident_memory_bytes");
  });

  it("can leave out default metrics (several registries in one process)", async () => {
    const names = (await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map(
      (m) => m.name,
    );
    expect(names.some((n) => n.startsWith("process_"))).toBe(false);
  });

  it("pulls adapter counters at scrape time, adding only what is new", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const stats: AdapterStats = {
      ...newAdapterStats(),
      readings: 10,
      unmapped: 2,
      connected: true,
      connects: 1,
    };
    let adapters = [{ id: "shdr:lathe-1", protocol: "shdr", stats }];
    metrics.trackAdapters(() => adapters);

    await metrics.registry.metrics();
    stats.readings = 25;
    stats.errors = 3;
    const text = await metrics.registry.metrics();
    expect(text).toContain('maskinport_observations_total{adapter="shdr:lathe-1",protocol="shdr"} 25');
    expect(text).toContain('maskinport_unmapped_total{adapter="shdr:lathe-1"} 2');
    expect(text).toContain('maskinport_adapter_errors_total{adapter="shdr:lathe-1"} 3');
    expect(text).toContain('maskinport_adapter_connected{adapter="shdr:lathe-1"} 1');

    // The supervisor replaced the adapter: fresh stats from zero. The counter must not go back.
    adapters = [{ id: "shdr:lathe-1", protocol: "shdr", stats: { ...newAdapterStats(), readings: 4 } }];
    await metrics.registry.metrics();
    expect(await sample(metrics, "maskinport_observations_total", { adapter: "shdr:lathe-1" })).toBe(29);
    expect(await sample(metrics, "maskinport_adapter_connected", { adapter: "shdr:lathe-1" })).toBe(0);
  });

  it("pulls sink queue depths at scrape time", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let depth = 7;
    metrics.trackSinks(() => [{ name: "mqtt", queueDepth: () => depth }]);
    expect(await sample(metrics, "maskinport_sink_queue_depth", { sink: "mqtt" })).toBe(7);
    depth = 0;
    expect(await sample(metrics, "maskinport_sink_queue_depth", { sink: "mqtt" })).toBe(0);
  });

  it("marks exactly one state per machine", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.setMachineState("mill-2", "running");
    metrics.setMachineState("mill-2", "alarm");
    const values = (await metrics.machineState.get()).values.filter((v) => v.labels.machine === "mill-2");
    expect(values).toHaveLength(7);
    expect(values.filter((v) => v.value === 1).map((v) => v.labels.state)).toEqual(["alarm"]);
  });
});
