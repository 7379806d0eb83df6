import fc from "fast-check";

// Shared rules of the fuzz tests (test/fuzz/README.md): a fixed seed unless
// MASKINPORT_FUZZ_SEED says otherwise (so a failure in CI reproduces), a
// modest number of runs unless MASKINPORT_FUZZ_RUNS says otherwise (the soak
// in bench/fuzz-soak.ts raises both), a time budget per case and a bound on
// how much output one input may become.

function envInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`${name}: expected an integer, got ${JSON.stringify(text)}`);
  return n;
}

export const FUZZ_SEED = envInt("MASKINPORT_FUZZ_SEED", 13_2026);
export const FUZZ_RUNS = envInt("MASKINPORT_FUZZ_RUNS", 120);
/** A case (one input through one parser) over this many milliseconds fails. */
export const CASE_BUDGET_MS = envInt("MASKINPORT_FUZZ_BUDGET_MS", 50);

/** Counterexamples can be megabytes of text: keep each line of the report readable (unless MASKINPORT_FUZZ_FULL_REPORT=1). */
const MAX_REPORT_LINE = process.env.MASKINPORT_FUZZ_FULL_REPORT === "1" ? Number.POSITIVE_INFINITY : 600;

/** fast-check parameters for one property; `scale` scales the number of runs for cheap or costly properties. */
export function fuzzParameters(scale = 1): fc.Parameters<unknown> {
  return {
    seed: FUZZ_SEED,
    numRuns: Math.max(1, Math.round(FUZZ_RUNS * scale)),
    endOnFailure: true,
    reporter(details) {
      if (!details.failed) return;
      const report = fc
        .defaultReportMessage(details)
        .split("\n")
        .map((line) =>
          line.length > MAX_REPORT_LINE
            ? `${line.slice(0, MAX_REPORT_LINE)}… (${line.length} characters; rerun with this seed and path to see it whole)`
            : line,
        )
        .join("\n");
      const cause = String(details.errorInstance).slice(0, MAX_REPORT_LINE);
      throw new Error(
        `${report}\nFailed with: ${cause}\n(MASKINPORT_FUZZ_SEED=${FUZZ_SEED} MASKINPORT_FUZZ_RUNS=${FUZZ_RUNS})`,
      );
    },
  };
}

/** Timings over budget before a case fails: a GC pause hits once, a slow input every time. */
const ATTEMPTS = 3;

/**
 * CPU time of this process in ms. The budget is measured in CPU time, not wall time: `npm test`
 * runs test files in parallel on a shared machine, where a case may wait for a core for longer
 * than it computes. CPU time is what the case costs the event loop on an idle machine.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Run `work` (which must build its own state: it may run again) and fail if
 * it takes longer than the budget every time of ATTEMPTS.
 */
export function withinBudget<T>(label: string, work: () => T, budgetMs = CASE_BUDGET_MS): T {
  let ms = Number.POSITIVE_INFINITY;
  let result: T | undefined;
  for (let attempt = 0; attempt < ATTEMPTS && ms > budgetMs; attempt++) {
    const start = cpuMs();
    result = work();
    ms = cpuMs() - start;
  }
  if (ms > budgetMs) {
    throw new Error(`${label}: one case took ${ms.toFixed(1)} ms of CPU, over the ${budgetMs} ms budget`);
  }
  return result as T;
}

/**
 * The same for work that arrives in steps, as bytes do from a socket: the
 * budget is for the longest step (what the event loop waits for), not the
 * whole input. `work` runs each step through `step`.
 */
export function withinBudgetPerStep<T>(
  label: string,
  work: (step: <S>(run: () => S) => S) => T,
  budgetMs = CASE_BUDGET_MS,
): T {
  let longest = Number.POSITIVE_INFINITY;
  let result: T | undefined;
  for (let attempt = 0; attempt < ATTEMPTS && longest > budgetMs; attempt++) {
    longest = 0;
    result = work((run) => {
      const start = cpuMs();
      try {
        return run();
      } finally {
        longest = Math.max(longest, cpuMs() - start);
      }
    });
  }
  if (longest > budgetMs) {
    throw new Error(
      `${label}: one step took ${longest.toFixed(1)} ms of CPU, over the ${budgetMs} ms budget`,
    );
  }
  return result as T;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

/** `work()`, with the errors it is allowed to throw on bad input caught; any other error fails the case. */
export function attempt<T>(
  work: () => T,
  allowed: readonly (abstract new (...args: never[]) => Error)[],
): Outcome<T> {
  try {
    return { ok: true, value: work() };
  } catch (err) {
    if (allowed.some((type) => err instanceof type)) return { ok: false, error: err as Error };
    throw err;
  }
}

/**
 * Output may be at most `factor` × input (+ `slack`): what one input may
 * become is bounded by its size, so a small input cannot fill memory.
 */
export function expectBoundedOutput(
  label: string,
  input: number,
  output: number,
  factor: number,
  slack = 0,
): void {
  if (output > input * factor + slack) {
    throw new Error(
      `${label}: ${input} units of input became ${output} units of output, over ${factor}× + ${slack}`,
    );
  }
}

/**
 * Text made of `pieces`: short mixes (structure), arbitrary strings, and long
 * repetitions of one or two `structural` units — a dictionary of what the
 * parser scans for, as fuzzers use (`|"a` for SHDR, `${A:-` for the config…).
 * Those are what make a quadratic scan show: 4,000 `|"a` took the old SHDR
 * tokenizer 0.2 s. Repetition counts are drawn without fast-check's bias towards small
 * numbers, so most repetitions are long.
 */
export function hostileText(
  pieces: readonly string[],
  structural: readonly string[] = pieces,
  maxRepeat = 20_000,
): fc.Arbitrary<string> {
  const piece = fc.constantFrom(...pieces);
  const unit = fc
    .array(fc.constantFrom(...structural), { minLength: 1, maxLength: 2 })
    .map((a) => a.join(""));
  const times = fc.noBias(fc.integer({ min: Math.min(1000, maxRepeat), max: maxRepeat }));
  const mix = fc.array(piece, { maxLength: 20 }).map((a) => a.join(""));
  return fc.oneof(
    fc.array(piece, { maxLength: 200 }).map((a) => a.join("")),
    fc.tuple(mix, unit, times, mix).map(([head, u, n, tail]) => head + u.repeat(n) + tail),
    fc.tuple(mix, unit, times, mix).map(([head, u, n, tail]) => head + u.repeat(n) + tail),
    fc.string({ maxLength: 300 }),
    fc.string({ unit: "binary", maxLength: 300 }),
  );
}

/** Split `bytes` at the given cut points (any order, any values): the same stream in other chunks. */
export function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort(
    (a, b) => a - b,
  );
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  if (from < bytes.length) out.push(bytes.subarray(from));
  return out;
}
