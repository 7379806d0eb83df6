// `npm run bench`: the foundation's figures side by side in one table, each
// with its goal and verdict, and the machine context they were measured in.
//
//   node bench/run-all.ts [--only parse,embedded,mosquitto,latency,alone] [--rounds 3]
//                         [--window-ms 2500] [--latency-seconds 10] [--strict]
//
// Loopback only; every broker, worker and socket it starts stops before it
// exits (and Mosquitto is killed if the run is interrupted). --strict exits 1
// when a figure misses its goal (default: 0, because a shared machine can).
import { parseArgs } from "node:util";
import { PARTS, type Part, runFoundationBench } from "./foundation/index.ts";
import { describeMachine, machineContext } from "./support/machine.ts";
import { renderTable } from "./support/table.ts";

const HARD_LIMIT_MS = 6 * 60_000;

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

if (Number(process.versions.node.split(".")[0]) < 24) {
  fail(`needs Node 24 (this is ${process.versions.node}): run it as \`npm run bench\``);
}

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    rounds: { type: "string", default: "3" },
    "window-ms": { type: "string", default: "2500" },
    "latency-seconds": { type: "string", default: "10" },
    strict: { type: "boolean", default: false },
  },
});

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name}: expected a positive number, got "${text}"`);
  return n;
}

const parts = new Set<Part>();
for (const name of (values.only ?? PARTS.join(",")).split(",")) {
  if (!(PARTS as readonly string[]).includes(name)) {
    fail(`--only: unknown part "${name}" (expected some of ${PARTS.join(", ")})`);
  }
  parts.add(name as Part);
}

// Ctrl-C and kill go through process.exit, so the exit hooks that kill
// Mosquitto (test/support/mosquitto.ts) run.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping`);
    process.exit(130);
  });
}
setTimeout(() => fail(`still running after ${HARD_LIMIT_MS / 60_000} min: aborted`), HARD_LIMIT_MS).unref();

const started = performance.now();
const before = machineContext();
console.log(`Maskinport foundation benchmark — ${describeMachine(before)}`);
const sections = await runFoundationBench({
  parts,
  rounds: positive("rounds", values.rounds),
  warmupMs: 1000,
  windowMs: positive("window-ms", values["window-ms"]),
  latencySeconds: positive("latency-seconds", values["latency-seconds"]),
  progress: (message) => console.error(`  … ${message}`),
});
const after = machineContext();

console.log("");
console.log(renderTable(sections));
console.log("");
console.log(
  `took ${((performance.now() - started) / 1000).toFixed(0)} s; at the end: load average ` +
    `${after.load[0].toFixed(2)}${after.cpuPressure ? `, CPU pressure ${after.cpuPressure.avg10.toFixed(0)}% (10 s)` : ""}`,
);
const rows = sections.flatMap((s) => s.rows);
const missed = rows.filter((r) => r.verdict === "FAIL" || r.verdict === "error").length;
console.log(
  missed === 0
    ? "every goal met"
    : `${missed} of ${rows.filter((r) => r.goal).length} goals missed or not measured`,
);
process.exit(values.strict && missed > 0 ? 1 : 0);
