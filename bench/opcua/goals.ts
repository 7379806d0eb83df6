// Issue #7's goals, read from one harness run (the JSON lines measure.mjs
// writes): for every load, Maskinport against the lean reference measured in
// the same run.
//
//   node_modules/.bin/node bench/opcua/goals.ts [results.jsonl]   (default: the newest in $WORK/run)
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

const file = process.argv[2] ?? newestResults();
const rows: Row[] = readFileSync(file, "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l, i) => {
    const parsed = rowSchema.safeParse(JSON.parse(l));
    if (!parsed.success)
      throw new Error(`${file}:${i + 1}: not a measure.mjs result: ${parsed.error.message}`);
    return parsed.data;
  });

const netLost = (r: Row) => Math.max(0, (r.gap_lost ?? 0) - r.duplicates);
const pct = (n: number, of: number) => (of > 0 ? (100 * n) / of : 0);
const mark = (ok: boolean) => (ok ? "met" : "**missed**");

console.log(`goals from ${file}\n`);
console.log(
  "| load chg/s | CPU / msg vs lean (≤ 2×) | changes lost, gaps − late-tick pairs (0) | delivery ratio lean / maskinport | p99 vs lean (≤ +30 ms) | host busy % |",
);
console.log("|---:|---|---|---|---|---:|");
for (const load of [...new Set(rows.map((r) => r.offered_nominal))]) {
  const lean = rows.find((r) => r.gateway === "lean" && r.offered_nominal === load);
  const ours = rows.find((r) => r.gateway === "maskinport" && r.offered_nominal === load);
  if (!lean || !ours) continue;
  const ratio = ours.cpu_s_per_1k_msgs / lean.cpu_s_per_1k_msgs;
  const lost = netLost(ours);
  const dp99 = ours.lat_p99_ms - lean.lat_p99_ms;
  console.log(
    `| ${load} | ${ratio.toFixed(2)}× ${mark(ratio <= 2)} | ${lost} (${pct(lost, ours.msgs + lost).toFixed(2)} %; raw gaps ${ours.gap_lost}, pairs ${ours.duplicates}) ${mark(lost === 0)} | ${lean.delivery_ratio.toFixed(3)} / ${ours.delivery_ratio.toFixed(3)} | ${dp99 >= 0 ? "+" : ""}${dp99} ms ${mark(dp99 <= 30)} | ${lean.host_busy_pct.toFixed(0)} / ${ours.host_busy_pct.toFixed(0)} |`,
  );
}
