// Data shaping for the machine page's plots and state band. Pure (no DOM),
// tested in Node.

/**
 * Several signals' histories on one time axis, as uPlot wants it:
 * `[xs (seconds), ys1, ys2, …]`. A series holds its last value until its next
 * point (the gateway stores changes, not samples); null (unavailable) stays
 * null, so the line breaks where the machine was offline.
 * @param {{ ts: number, value: unknown }[][]} series
 * @returns {[number[], ...(number | null)[][]]}
 */
export function alignSeries(series) {
  const times = [...new Set(series.flatMap((points) => points.map((p) => p.ts)))].sort((a, b) => a - b);
  const columns = series.map((points) => {
    const byTs = new Map(points.map((p) => [p.ts, typeof p.value === "number" ? p.value : null]));
    let last = /** @type {number | null} */ (null);
    let started = false;
    return times.map((ts) => {
      if (byTs.has(ts)) {
        last = byTs.get(ts) ?? null;
        started = true;
      }
      return started ? last : null;
    });
  });
  return [times.map((ts) => ts / 1000), ...columns];
}

/**
 * State segments from the history plus the state changes seen live since,
 * cut to [from, to]. Each segment: { state, from, to }.
 * @param {{ state: string, from: number, to: number }[]} segments
 * @param {{ state: string, ts: number }[]} changes
 * @param {number} from
 * @param {number} to
 * @returns {{ state: string, from: number, to: number }[]}
 */
export function mergeStates(segments, changes, from, to) {
  const out = segments.map((s) => ({ ...s }));
  for (const change of changes) {
    const last = out.at(-1);
    if (last && change.ts < last.from) continue;
    if (last) last.to = change.ts;
    if (last?.state !== change.state) out.push({ state: change.state, from: change.ts, to });
    else if (last) last.to = to;
  }
  const last = out.at(-1);
  if (last) last.to = to;
  return out
    .map((s) => ({ state: s.state, from: Math.max(s.from, from), to: Math.min(s.to, to) }))
    .filter((s) => s.to > s.from);
}
