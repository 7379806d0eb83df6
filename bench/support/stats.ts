// Small statistics for benchmark figures. Latency distributions are kept as
// plain arrays (≈50k samples per 10 s run) and sorted once; percentiles use
// the nearest-rank method, so p99 is a value that really occurred.

export type Distribution = {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
};

/** Nearest-rank percentile of an ascending array (p in 0–100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function distribution(samples: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

export type BestOf = {
  /** The fastest run's rate: on a shared machine the least disturbed one. */
  best: number;
  median: number;
  /**
   * The best rate per second of this thread's CPU time: what the code does
   * when it has a core, whatever the neighbours do (waiting for a CPU is not
   * counted; a busy SMT sibling or cache still slows it).
   */
  bestPerCpuSecond: number;
  runs: number;
};

/**
 * Runs `work` `warmup` times unmeasured (JIT), then `runs` times, and returns
 * items per second. `work` returns how many items it handled.
 */
export function bestOf(work: () => number, runs: number, warmup = 3): BestOf {
  for (let i = 0; i < warmup; i++) work();
  const rates: number[] = [];
  let bestPerCpuSecond = 0;
  for (let i = 0; i < runs; i++) {
    const cpu0 = process.threadCpuUsage();
    const t0 = performance.now();
    const items = work();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.threadCpuUsage(cpu0);
    rates.push(items / seconds);
    bestPerCpuSecond = Math.max(bestPerCpuSecond, items / ((cpu.user + cpu.system) / 1e6));
  }
  rates.sort((a, b) => a - b);
  return { best: rates[rates.length - 1] ?? 0, median: percentile(rates, 50), bestPerCpuSecond, runs };
}
