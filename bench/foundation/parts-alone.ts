// Context rows without goals: the in-process parts on their own, so a
// missed end-to-end goal can be placed (is it the pipeline, the store, or
// what lies beyond the socket?). Best run after warm-up, like the parse rate.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { PipelineOutput } from "../../src/core/contracts.ts";
import type { Reading } from "../../src/core/observation.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { EmbeddedTimeseries } from "../../src/sinks/timeseries/embedded-timeseries.ts";
import { type BestOf, bestOf } from "../support/stats.ts";
import { MACHINES, ReadingWorkload } from "./workload.ts";

const READINGS = 200_000;

function batches(executionEvery = 0): Reading[][] {
  const workload = new ReadingWorkload({ executionEvery });
  const out: Reading[][] = [];
  for (let n = 0; n < READINGS; n += workload.batchSize) out.push(workload.next());
  return out;
}

/**
 * Pipeline.process alone: readings/s (20 machines, batches of 100, every
 * value new); with `executionEvery` = 10 every tenth reading changes execution.
 */
export function measurePipelineAlone(executionEvery = 0): BestOf {
  const input = batches(executionEvery);
  return bestOf(() => {
    const pipeline = new Pipeline({ machines: MACHINES });
    let n = 0;
    for (const batch of input) n += pipeline.process(batch).observations.length;
    return n;
  }, 5);
}

/** EmbeddedTimeseries (file, WAL): observations written and committed per second. */
export async function measureTimeseriesAlone(): Promise<BestOf> {
  const pipeline = new Pipeline({ machines: MACHINES });
  const outputs: PipelineOutput[] = batches().map((b) => pipeline.process(b));
  const dir = mkdtempSync(join(tmpdir(), "maskinport-bench-"));
  try {
    let run = 0;
    const rates: number[] = [];
    let bestPerCpuSecond = 0;
    for (let i = 0; i < 3; i++) {
      const store = new EmbeddedTimeseries({
        path: join(dir, `ts-${run++}.db`),
        retentionDays: 0,
        log: pino({ level: "silent" }),
      });
      await store.start();
      const cpu0 = process.cpuUsage(); // the whole process: the store commits in its own thread
      const t0 = performance.now();
      for (const out of outputs) store.write(out);
      await store.flush();
      rates.push(READINGS / ((performance.now() - t0) / 1000));
      const cpu = process.cpuUsage(cpu0);
      if (i > 0) bestPerCpuSecond = Math.max(bestPerCpuSecond, READINGS / ((cpu.user + cpu.system) / 1e6));
      await store.stop();
    }
    // The first run warms up (JIT, file creation); keep the others.
    const measured = rates.slice(1).sort((a, b) => a - b);
    return {
      best: measured[measured.length - 1] ?? 0,
      median: measured[0] ?? 0,
      bestPerCpuSecond,
      runs: measured.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
