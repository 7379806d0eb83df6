// Types for the browser module plot-data.js, so server-side tests can import it.
export function alignSeries(series: { ts: number; value: unknown }[][]): [number[], ...(number | null)[][]];
export type StateSegment = { state: string; from: number; to: number };
export function mergeStates(
  segments: StateSegment[],
  changes: { state: string; ts: number }[],
  from: number,
  to: number,
): StateSegment[];
