// GatewayCore with parts handed in (no config, no network): what it promises
// about the flow from adapters to sinks, and about the stop order.
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import {
  type Adapter,
  type AdapterContext,
  newAdapterStats,
  type PipelineOutput,
  type Sink,
} from "../../src/core/contracts.ts";
import type { Reading } from "../../src/core/observation.ts";
import { GatewayCore } from "../../src/gateway/core.ts";
import { StopList } from "../../src/gateway/stop-list.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { createMetrics } from "../../src/web/metrics.ts";

const silent = pino({ level: "silent" });

class ScriptedAdapter implements Adapter {
  readonly id = "test:lathe-1";
  readonly protocol = "test";
  readonly machines = ["lathe-1"];
  readonly stats = newAdapterStats();
  ctx: AdapterContext | undefined;
  readonly order: string[];
  constructor(order: string[]) {
    this.order = order;
  }
  async start(ctx: AdapterContext) {
    this.ctx = ctx;
    this.stats.connected = true;
  }
  async stop() {
    this.order.push("adapter stopped");
  }
  emit(readings: Reading[]) {
    this.ctx!.emit(readings);
  }
}

class RecordingSink implements Sink {
  outputs: PipelineOutput[] = [];
  readonly name: string;
  readonly fail: boolean;
  constructor(name: string, fail = false) {
    this.name = name;
    this.fail = fail;
  }
  async start() {}
  write(out: PipelineOutput) {
    if (this.fail) throw new Error("disk full");
    this.outputs.push(out);
  }
  async stop() {}
  queueDepth() {
    return 0;
  }
}

const reading = (signal: string, value: string | number): Reading => ({
  machine: "lathe-1",
  signal: signal as Reading["signal"],
  value,
  ts: Date.now(),
  rx: Date.now(),
  quality: "good",
  source: { protocol: "test", ref: signal },
});

function coreWith(sinks: Sink[], order: string[]) {
  const stopList = new StopList();
  stopList.add("first started", async () => {
    order.push("first started closed");
  });
  stopList.add("last started", async () => {
    order.push("last started closed");
  });
  const core = new GatewayCore({
    pipeline: new Pipeline({ machines: ["lathe-1"] }),
    sinks,
    metrics: createMetrics(),
    log: silent,
    stopList,
  });
  return core;
}

describe("GatewayCore", () => {
  it("hands each pipeline output to every sink and live listener; a failing sink stops no other", async () => {
    const order: string[] = [];
    const broken = new RecordingSink("broken", true);
    const good = new RecordingSink("good");
    const core = coreWith([broken, good], order);
    const live: PipelineOutput[] = [];
    core.onUpdate((out) => live.push(out));
    const adapter = new ScriptedAdapter(order);
    core.run([adapter]);
    adapter.emit([reading("availability", "AVAILABLE"), reading("spindle.speed", 1200)]);
    const observations = good.outputs.flatMap((o) => o.observations);
    expect(observations.map((o) => [o.signal, o.value, o.seq])).toEqual([
      ["availability", "AVAILABLE", 1],
      ["spindle.speed", 1200, 2],
    ]);
    expect(live.flatMap((o) => o.observations)).toEqual(observations);
    const errors = await core.metrics.sinkErrors.get();
    expect(errors.values).toEqual([{ labels: { sink: "broken" }, value: 1 }]);
    expect(core.health()).toMatchObject({ status: "ok", checks: { "test:lathe-1": { ok: true } } });
    await core.stop();
    expect(core.health().status).toBe("down");
  });

  it("stops the adapters first, then closes what was started in reverse order", async () => {
    const order: string[] = [];
    const core = coreWith([new RecordingSink("good")], order);
    core.run([new ScriptedAdapter(order)]);
    await core.stop();
    expect(order).toEqual(["adapter stopped", "last started closed", "first started closed"]);
  });
});
