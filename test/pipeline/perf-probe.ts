// Quick micro-benchmark of the core pipeline (not a test; no assertions).
// Run: node_modules/.bin/node test/pipeline/perf-probe.ts
// The reproducible benchmark lives in bench/; this is a probe for pipeline work.
import type { Reading } from "../../src/core/observation.ts";
import type { SignalId } from "../../src/core/signals.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";

const MACHINES = 20;
const TOTAL = 1_000_000;
const BATCH = 200;

const SAMPLES: SignalId[] = [
  "spindle.speed",
  "spindle.load",
  "feed.rate",
  "axis.x.position",
  "axis.y.position",
  "axis.z.position",
  "program.line",
];
const EXECUTIONS = ["ACTIVE", "FEED_HOLD", "ACTIVE", "PROGRAM_COMPLETED", "READY"];

/**
 * Mostly changing samples, ~10% exact repeats, and an execution change every
 * `stateEvery` readings (each one runs the state machine and cycle detection).
 */
function makeReadings(stateEvery = 997): Reading[] {
  const source = { protocol: "shdr", ref: "probe" } as const;
  const out: Reading[] = [];
  let ts = 1_700_000_000_000;
  for (let i = 0; i < TOTAL; i++) {
    const machine = `m-${i % MACHINES}`;
    if (i % MACHINES === 0) ts += 1;
    if (i % stateEvery === 0) {
      const value = EXECUTIONS[Math.floor(i / stateEvery) % EXECUTIONS.length]!;
      out.push({ machine, signal: "execution", value, ts, rx: ts, quality: "good", source });
      continue;
    }
    const signal = SAMPLES[i % SAMPLES.length]!;
    const value = i % 10 === 0 ? 0 : Math.round(Math.sin(i) * 10_000) / 10;
    out.push({ machine, signal, value, unit: "mm", ts, rx: ts, quality: "good", source });
  }
  return out;
}

function run(
  label: string,
  options: ConstructorParameters<typeof Pipeline>[0],
  readings: Reading[],
  withSessions = false,
): void {
  // Warm up on a separate instance so the measured one starts cold in state, warm in JIT.
  const warm = new Pipeline(options);
  for (let i = 0; i < 200_000; i += BATCH) warm.process(readings.slice(i, i + BATCH));

  const batches: Reading[][] = [];
  for (let i = 0; i < readings.length; i += BATCH) batches.push(readings.slice(i, i + BATCH));
  const pipeline = new Pipeline(options);
  if (withSessions) for (const id of options.machines) pipeline.setSession(id, `p-${id}`, 0);
  let observations = 0;
  let events = 0;
  const t0 = performance.now();
  for (const batch of batches) {
    const out = pipeline.process(batch);
    observations += out.observations.length;
    events += out.events.length;
  }
  pipeline.tick();
  const ms = performance.now() - t0;
  const rate = Math.round(readings.length / (ms / 1000));
  console.log(
    `${label.padEnd(31)} ${readings.length} readings in ${ms.toFixed(0)} ms = ${rate.toLocaleString("en")} readings/s ` +
      `(${observations} observations, ${events} events)`,
  );
}

const machines = Array.from({ length: MACHINES }, (_, i) => `m-${i}`);
const readings = makeReadings();
const stateHeavy = makeReadings(10);
const repeats = readings.map((r) => ({ ...r, value: r.signal === "execution" ? r.value : 1 }));
// Three rounds: the first includes JIT warm-up and heap growth; quote the later ones.
for (let round = 1; round <= 3; round++) {
  console.log(`round ${round}`);
  run("  default", { machines }, readings);
  run("  with deadbands", { machines, deadband: { "spindle.speed": 5, "axis.x.position": 0.01 } }, readings);
  run("  all repeats (dedupe path)", { machines }, repeats);
  run("  sessions on every machine", { machines }, readings, true);
  run("  execution change every 10th", { machines }, stateHeavy);
}
