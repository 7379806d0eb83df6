// The fuzz tests of test/fuzz, for longer: rounds of many more runs each, a
// fresh random seed per round, until the time is up or a round fails. The
// seed of a failing round is printed, so `MASKINPORT_FUZZ_SEED=<seed> npx
// vitest run test/fuzz` replays it (same MASKINPORT_FUZZ_RUNS).
//
//   node bench/fuzz-soak.ts [--minutes 10] [--runs 5000] [--only shdr,mtconnect,config,dnc,web]
//
// Loopback only (the web property serves the app on an ephemeral 127.0.0.1
// port); every round is one vitest child process that stops by itself.
import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { parseArgs } from "node:util";

const FILES = ["shdr", "mtconnect", "config", "dnc", "web"] as const;

function fail(message: string): never {
  console.error(`fuzz-soak: ${message}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    runs: { type: "string", default: "5000" },
    only: { type: "string" },
  },
});
const minutes = Number(values.minutes);
const runs = Number(values.runs);
if (!(minutes > 0)) fail(`--minutes: expected a positive number, got "${values.minutes}"`);
if (!Number.isSafeInteger(runs) || runs < 1)
  fail(`--runs: expected a positive integer, got "${values.runs}"`);
const only = values.only?.split(",") ?? [...FILES];
for (const name of only) {
  if (!(FILES as readonly string[]).includes(name))
    fail(`--only: "${name}" is not one of ${FILES.join(", ")}`);
}
const files = only.map((name) => `test/fuzz/${name}.fuzz.test.ts`);

function round(seed: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", ...files], {
      stdio: "inherit",
      env: { ...process.env, MASKINPORT_FUZZ_SEED: String(seed), MASKINPORT_FUZZ_RUNS: String(runs) },
    });
    const stop = () => child.kill("SIGTERM");
    process.once("SIGINT", stop);
    child.once("exit", (code) => {
      process.off("SIGINT", stop);
      resolve(code ?? 1);
    });
  });
}

const deadline = Date.now() + minutes * 60_000;
let rounds = 0;
while (Date.now() < deadline) {
  const seed = randomInt(1, 2 ** 31 - 1);
  console.log(`fuzz-soak: round ${++rounds}, seed ${seed}, ${runs} runs per property`);
  const code = await round(seed);
  if (code !== 0) {
    console.error(
      `fuzz-soak: round ${rounds} failed; replay with MASKINPORT_FUZZ_SEED=${seed} MASKINPORT_FUZZ_RUNS=${runs} npx vitest run ${files.join(" ")}`,
    );
    process.exit(1);
  }
}
console.log(`fuzz-soak: ${rounds} rounds passed`);
