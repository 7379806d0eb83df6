// Where a `--cpu-prof` profile's time went: self time per function and per
// package (node_modules/<name>, our src/<folder>, Node's internals, GC, idle),
// as shares of the busy time (idle excluded). Scripts, not tests.
//
//   node_modules/.bin/node bench/support/cpu-profile-summary.ts FILE.cpuprofile [--top 30] [--skip 15]
//
// --skip S leaves out the first S seconds (start-up: module loading, the OPC UA browse, JIT
// warm-up), so that what remains is the steady state a benchmark window measures.
import { readFileSync } from "node:fs";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Which bucket a frame's URL belongs to: the package, our folder, Node, or a V8 pseudo-frame. */
export function bucketOf(url: string, functionName: string): string {
  if (url === "") return `(${functionName || "program"})`.replace(/^\(\((.*)\)\)$/, "($1)");
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "/node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return "node: internals";
  const src = url.match(/\/src\/([^/]+\/[^/]+)\//) ?? url.match(/\/src\/([^/]+)\//);
  if (src) return `src/${src[1]}`;
  return url.replace(/^file:\/\//, "");
}

export function summarise(profile: Profile, top: number, skipSeconds = 0): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let elapsedUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const delta = profile.timeDeltas[i] ?? 0;
    elapsedUs += delta;
    if (elapsedUs < skipSeconds * 1e6) continue;
    self.set(id, (self.get(id) ?? 0) + delta);
  }
  const perFunction = new Map<string, number>();
  const perBucket = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === "(idle)") {
      idle += us;
      continue;
    }
    busy += us;
    const bucket = bucketOf(frame.url, frame.functionName);
    const where = frame.url ? `${frame.url.split("/").slice(-1)[0]}:${frame.lineNumber + 1}` : "";
    const fn = `${frame.functionName || "(anonymous)"} ${where} [${bucket}]`;
    perFunction.set(fn, (perFunction.get(fn) ?? 0) + us);
    perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + us);
  }
  const lines = [
    `busy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s`,
    "",
    "by package / folder:",
  ];
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  for (const [b, us] of [...perBucket].sort((a, c) => c[1] - a[1]).slice(0, top))
    lines.push(`${pct(us)}  ${b}`);
  lines.push("", "by function (self time):");
  for (const [f, us] of [...perFunction].sort((a, c) => c[1] - a[1]).slice(0, top))
    lines.push(`${pct(us)}  ${f}`);
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  const topAt = process.argv.indexOf("--top");
  const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 30;
  const skipAt = process.argv.indexOf("--skip");
  const skip = skipAt > 0 ? Number(process.argv[skipAt + 1]) : 0;
  if (!file || !Number.isInteger(top) || top <= 0 || !(skip >= 0)) {
    console.error("usage: cpu-profile-summary.ts FILE.cpuprofile [--top N] [--skip SECONDS]");
    process.exit(2);
  }
  console.log(summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, top, skip));
}
