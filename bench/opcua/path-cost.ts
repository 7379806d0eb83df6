// CPU cost per data change of Maskinport's own OPC UA path, without network:
// node-opcua DataValues → ReadingAssembler (decode, quality, timestamps) →
// Pipeline (dedupe, state machine, sequence), and optionally the embedded
// time-series store. Explains where the gateway's CPU per message goes next
// to the side-by-side run (run.sh).
//
//   node_modules/.bin/node bench/opcua/path-cost.ts [--items 2000] [--rounds 50] [--store]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DataType, DataValue, StatusCodes, Variant } from "node-opcua-client";
import { pino } from "pino";
import type { Binding } from "../../src/adapters/opcua/convert.ts";
import { ReadingAssembler } from "../../src/adapters/opcua/readings.ts";
import type { PipelineOutput } from "../../src/core/contracts.ts";
import type { Reading } from "../../src/core/observation.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { EmbeddedTimeseries } from "../../src/sinks/timeseries/embedded-timeseries.ts";

const { values } = parseArgs({
  options: { items: { type: "string" }, rounds: { type: "string" }, store: { type: "boolean" } },
});
const V = Number(values.items ?? 2000);
const ROUNDS = Number(values.rounds ?? 50);

const bindings: Binding[] = Array.from({ length: V }, (_, i) => ({
  nodeId: `ns=1;s=V${i}`,
  signal: `raw.v${i}`,
  decode: "number",
  ref: `ns=1;s=V${i}`,
  priority: 1,
}));
// Every value differs from the last (as on the bench server), so dedupe keeps all of them.
const changes = Array.from({ length: ROUNDS }, (_, r) =>
  Array.from(
    { length: V },
    (_, i) =>
      new DataValue({
        value: new Variant({ dataType: DataType.Double, value: 1.7e12 + r * 100 + i }),
        statusCode: StatusCodes.Good,
        sourceTimestamp: new Date(1.7e12 + r * 100),
      }),
  ),
);

const dir = mkdtempSync(join(tmpdir(), "mp-path-cost-"));
for (const pass of ["warm-up", "measured"]) {
  const assembler = new ReadingAssembler("bench", bindings);
  const pipeline = new Pipeline({ machines: ["bench"] });
  const store = values.store
    ? new EmbeddedTimeseries({
        path: join(dir, `${pass}.db`),
        retentionDays: 0,
        log: pino({ level: "silent" }),
      })
    : undefined;
  await store?.start();
  const batches: Reading[][] = [];
  const outs: PipelineOutput[] = [];
  const t0 = performance.now();
  for (const round of changes) {
    const batch: Reading[] = [];
    round.forEach((dv, i) => {
      const r = assembler.reading(i, dv, Date.now());
      if (r) batch.push(r);
    });
    batches.push(batch);
  }
  const t1 = performance.now();
  for (const b of batches) outs.push(pipeline.process(b));
  const t2 = performance.now();
  const mainCpu0 = process.threadCpuUsage();
  const cpu0 = process.cpuUsage();
  for (const out of outs) store?.write(out);
  const mainCpu = process.threadCpuUsage(mainCpu0);
  await store?.stop();
  const cpu = process.cpuUsage(cpu0);
  const t3 = performance.now();
  const n = V * ROUNDS;
  if (pass === "measured") {
    const us = (a: number, b: number) => `${(((b - a) * 1000) / n).toFixed(2)} µs`;
    console.log(
      `${n} changes: assembler ${us(t0, t1)}, pipeline ${us(t1, t2)}${store ? `, store ${us(t2, t3)}` : ""} per change`,
    );
    if (store) {
      // The store commits in its own thread: what the event loop pays is only the encoding.
      const perChange = (c: { user: number; system: number }) => `${((c.user + c.system) / n).toFixed(2)} µs`;
      console.log(
        `store CPU per change: ${perChange(mainCpu)} on the event loop, ${perChange(cpu)} in all threads`,
      );
    }
  }
}
rmSync(dir, { recursive: true, force: true });
