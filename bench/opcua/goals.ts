// Issue #7's and #12's goals, read from one harness run (the JSON lines
// measure.mjs writes): for every load, Maskinport in its default
// configuration (`maskinport`: outbox, QoS 1, embedded store) against the
// lean reference (lean.mjs) measured in the same run; and, when the run has
// it, against Maskinport's own lean configuration (`maskinport_lean`).
//
//   node_modules/.bin/node bench/opcua/goals.ts [results.jsonl …]   (default: the newest in $WORK/run;
//   several files: also the median and range per load over the runs)
//
// "Changes lost" here is the harness's gap count minus its duplicate count.
// The bench server stamps every value with Date.now() of the tick that wrote
// it (server.mjs), and the harness counts a gap when two consecutive values of
// a topic are ≥ 1.5 periods apart, a duplicate when they are < 0.5 apart. One
// server tick that starts 50–99 ms late (not late enough for its own
// lateTicks counter) therefore shows as one gap AND one duplicate on every
// topic although no change was lost: 2,000 + 2,000 at 20k/s. A change that
// really never arrived is a gap without a duplicate next to it. The delivery
// ratio (messages received / changes the server made) is printed beside it
// as the second witness.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

const rowSchema = z.object({
  gateway: z.string(),
  offered_nominal: z.number(),
  delivery_ratio: z.number(),
  cpu_s_per_1k_msgs: z.number(),
  lat_p99_ms: z.number(),
  gap_lost: z.number().nullable(),
  duplicates: z.number(),
  msgs: z.number(),
  host_busy_pct: z.number(),
});
type Row = z.infer<typeof rowSchema>;

function newestResults(): string {
  const dir = join(process.env.WORK ?? "/tmp/mp-opcua-bench", "run");
  const files = readdirSync(dir)
    .filter((f) => f.startsWith("results-") && f.endsWith(".jsonl"))
    .sort();
  const last = files.at(-1);
  if (!last) throw new Error(`no results-*.jsonl in ${dir}: run bench/opcua/run.sh first`);
  return join(dir, last);
}

function readRows(file: string): Row[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      const parsed = rowSchema.safeParse(JSON.parse(l));
      if (!parsed.success)
        throw new Error(`${file}:${i + 1}: not a measure.mjs result: ${parsed.error.message}`);
      return parsed.data;
    });
}

type Verdict = { load: number; ratio: number; lost: number; lostPct: number; dp99: number; row: string };

/** Maskinport (`ours`) against a reference (`ref`) of the same run, per load. */
function verdicts(rows: Row[], ref = "lean", oursName = "maskinport"): Verdict[] {
  const out: Verdict[] = [];
  for (const load of [...new Set(rows.map((r) => r.offered_nominal))]) {
    const lean = rows.find((r) => r.gateway === ref && r.offered_nominal === load);
    const ours = rows.find((r) => r.gateway === oursName && r.offered_nominal === load);
    if (!lean || !ours) continue;
    const ratio = ours.cpu_s_per_1k_msgs / lean.cpu_s_per_1k_msgs;
    const lost = netLost(ours);
    const lostPct = pct(lost, ours.msgs + lost);
    const dp99 = ours.lat_p99_ms - lean.lat_p99_ms;
    out.push({
      load,
      ratio,
      lost,
      lostPct,
      dp99,
      row: `| ${load} | ${ratio.toFixed(2)}× ${mark(ratio <= 2)} | ${lost} (${lostPct.toFixed(2)} %; raw gaps ${ours.gap_lost}, pairs ${ours.duplicates}) ${mark(lost === 0)} | ${lean.delivery_ratio.toFixed(3)} / ${ours.delivery_ratio.toFixed(3)} | ${signed(dp99)} ms ${mark(dp99 <= 30)} | ${lean.host_busy_pct.toFixed(0)} / ${ours.host_busy_pct.toFixed(0)} |`,
    });
  }
  return out;
}

const netLost = (r: Row) => Math.max(0, (r.gap_lost ?? 0) - r.duplicates);
const pct = (n: number, of: number) => (of > 0 ? (100 * n) / of : 0);
const mark = (ok: boolean) => (ok ? "met" : "**missed**");
const signed = (n: number) => `${n >= 0 ? "+" : ""}${n}`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const files = process.argv.length > 2 ? process.argv.slice(2) : [newestResults()];
const all: Verdict[] = [];
// With BASELINE (run.sh): the same default configuration run by another checkout, and this one's CPU
// per message against it, per load and run.
const allBase: Verdict[] = [];
const againstBase: { load: number; ratio: number }[] = [];
for (const file of files) {
  console.log(`goals from ${file}\n`);
  console.log(
    "| load chg/s | CPU / msg vs lean (≤ 2×) | changes lost, gaps − late-tick pairs (0) | delivery ratio lean / maskinport | p99 vs lean (≤ +30 ms) | host busy % |",
  );
  console.log("|---:|---|---|---|---|---:|");
  const rows = readRows(file);
  for (const v of verdicts(rows)) {
    console.log(v.row);
    all.push(v);
  }
  console.log("");
  if (rows.some((r) => r.gateway === "maskinport_lean")) {
    console.log(
      "the default configuration against Maskinport's lean one (maskinport_lean) in the same run\n",
    );
    console.log(
      "| load chg/s | CPU / msg vs maskinport_lean | changes lost, gaps − late-tick pairs | delivery ratio lean / default | p99 vs maskinport_lean | host busy % |",
    );
    console.log("|---:|---|---|---|---|---:|");
    for (const v of verdicts(rows, "maskinport_lean")) console.log(v.row);
    console.log("");
  }
  if (rows.some((r) => r.gateway === "maskinport_base")) {
    console.log("the baseline checkout's default configuration (maskinport_base) against lean, same run\n");
    console.log(
      "| load chg/s | CPU / msg vs lean | changes lost, gaps − late-tick pairs | delivery ratio lean / baseline | p99 vs lean | host busy % |",
    );
    console.log("|---:|---|---|---|---|---:|");
    for (const v of verdicts(rows, "lean", "maskinport_base")) {
      console.log(v.row);
      allBase.push(v);
    }
    for (const v of verdicts(rows, "maskinport_base")) againstBase.push({ load: v.load, ratio: v.ratio });
    console.log("");
  }
}

// Several runs: the median is the figure to hold against a goal, the range is the noise.
if (files.length > 1) {
  console.log(`over ${files.length} runs: median (range)\n`);
  console.log("| load chg/s | runs | CPU / msg vs lean (≤ 2×) | changes lost (0) | p99 vs lean (≤ +30 ms) |");
  console.log("|---:|---:|---|---|---|");
  for (const load of [...new Set(all.map((v) => v.load))].sort((a, b) => a - b)) {
    const vs = all.filter((v) => v.load === load);
    const r = vs.map((v) => v.ratio);
    const d = vs.map((v) => v.dp99);
    const lost = Math.max(...vs.map((v) => v.lost));
    console.log(
      `| ${load} | ${vs.length} | ${median(r).toFixed(2)}× (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}) ${mark(median(r) <= 2)} | max ${lost} ${mark(lost === 0)} | ${signed(median(d))} ms (${signed(Math.min(...d))} to ${signed(Math.max(...d))}) ${mark(median(d) <= 30)} |`,
    );
  }
  if (allBase.length > 0) {
    console.log(
      "\nthe baseline (maskinport_base), same runs; last column: this checkout's CPU per message / the baseline's\n",
    );
    console.log(
      "| load chg/s | runs | CPU / msg vs lean | changes lost | p99 vs lean | this / baseline CPU per msg |",
    );
    console.log("|---:|---:|---|---|---|---|");
    for (const load of [...new Set(allBase.map((v) => v.load))].sort((a, b) => a - b)) {
      const vs = allBase.filter((v) => v.load === load);
      const r = vs.map((v) => v.ratio);
      const d = vs.map((v) => v.dp99);
      const t = againstBase.filter((v) => v.load === load).map((v) => v.ratio);
      console.log(
        `| ${load} | ${vs.length} | ${median(r).toFixed(2)}× (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}) | max ${Math.max(...vs.map((v) => v.lost))} | ${signed(median(d))} ms (${signed(Math.min(...d))} to ${signed(Math.max(...d))}) | ${median(t).toFixed(2)}× (${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)}) |`,
      );
    }
  }
}
