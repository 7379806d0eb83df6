// `maskinport check-config` start-up time (issue 12: < 300 ms; it must never
// load node-opcua), measured the way a technician runs it: a fresh process on
// config/demo.yaml, Node 24, spawn to exit. With --baseline DIR (a checkout
// of an earlier commit, with node_modules) both are run alternately in the
// same session, so the comparison is fair on a shared machine.
//
//   node bench/config/check-config.ts [--runs 15] [--baseline /tmp/maskinport-before]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { describeMachine, machineContext } from "../support/machine.ts";
import { percentile } from "../support/stats.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "15" }, baseline: { type: "string" } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs: expected a positive integer, got "${values.runs}"`);
  process.exit(2);
}

type Timing = { wallMs: number; cpuMs: number };

/** CPU (user + system) of this process's waited-for children so far: /proc/self/stat cutime + cstime. */
function childrenCpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

function timeOnce(root: string): Timing {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const r = spawnSync(
    process.execPath,
    [join(root, "bin/maskinport.mjs"), "check-config", "config/demo.yaml"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  const wallMs = performance.now() - start;
  if (r.status !== 0) throw new Error(`check-config failed in ${root}: ${r.stdout}${r.stderr}`);
  return { wallMs, cpuMs: childrenCpuMs() - cpuBefore };
}

function summary(name: string, samples: readonly Timing[]): string {
  const wall = samples.map((s) => s.wallMs).sort((a, b) => a - b);
  const cpu = samples.map((s) => s.cpuMs).sort((a, b) => a - b);
  const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;
  return `${name.padEnd(9)} wall median ${ms(percentile(wall, 50))} (min ${ms(wall[0]!)})   CPU median ${ms(percentile(cpu, 50))} (min ${ms(cpu[0]!)})`;
}

console.log(describeMachine(machineContext()));
const here = resolve(import.meta.dirname, "../..");
const roots = values.baseline ? [here, resolve(values.baseline)] : [here];
const samples = roots.map(() => [] as Timing[]);
for (const root of roots) timeOnce(root); // fill Node's compile cache and the page cache
for (let i = 0; i < runs; i++) {
  for (const [k, root] of roots.entries()) samples[k]!.push(timeOnce(root));
}
console.log(summary("this", samples[0]!));
if (samples[1]) console.log(summary("baseline", samples[1]));
const median = percentile(
  samples[0]!.map((s) => s.wallMs).sort((a, b) => a - b),
  50,
);
const how = values.baseline ? ", alternating with the baseline" : "";
console.log(`goal: wall < 300 ms: ${median < 300 ? "met" : "missed"} (median of ${runs} runs${how})`);
