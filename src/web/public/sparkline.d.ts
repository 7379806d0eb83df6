// Types for the browser module sparkline.js, so server-side tests can import it.
export type SparkSample = { ts: number; value: number | null };
export function trimSamples<T extends SparkSample>(samples: readonly T[], from: number): T[];
export function sparklinePaths(
  samples: readonly SparkSample[],
  options: { now: number; windowMs: number; width: number; height: number },
): { line: string; area: string; peak: number } | null;
