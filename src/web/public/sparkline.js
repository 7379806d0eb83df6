// Spindle-speed sparkline: time series → SVG path data. Pure, no DOM.
//
// Values are drawn as steps (hold the last value until the next one), which
// is what a coalesced, change-driven stream really says: nothing changed in
// between. A null value (machine unavailable) breaks the line.

/** @typedef {{ ts: number, value: number | null }} SparkSample */

/**
 * Keep samples inside the window (plus the last one before it, which still holds at the window's start).
 * @template {SparkSample} T
 * @param {readonly T[]} samples ascending by ts
 * @param {number} from
 * @returns {T[]}
 */
export function trimSamples(samples, from) {
  let firstInside = samples.findIndex((s) => s.ts >= from);
  if (firstInside < 0) firstInside = samples.length;
  return samples.slice(Math.max(0, firstInside - 1));
}

/**
 * Path data in a width × height box, or null when there is nothing to draw.
 * @param {readonly SparkSample[]} samples ascending by ts
 * @param {{ now: number, windowMs: number, width: number, height: number }} box
 * @returns {{ line: string, area: string, peak: number } | null}
 */
export function sparklinePaths(samples, { now, windowMs, width, height }) {
  const from = now - windowMs;
  const visible = trimSamples(samples, from).filter((s) => s.ts <= now);
  if (visible.length === 0) return null;

  let peak = 0;
  for (const s of visible) if (typeof s.value === "number" && s.value > peak) peak = s.value;
  const top = peak > 0 ? peak * 1.1 : 1;
  const x = (/** @type {number} */ ts) => round(((Math.max(ts, from) - from) / windowMs) * width);
  const y = (/** @type {number} */ value) => round(height - (value / top) * height);

  let line = "";
  let area = "";
  let segment = /** @type {{ startX: number, lastY: number } | null} */ (null);
  const closeSegment = (/** @type {number} */ endX) => {
    if (segment === null) return;
    line += `H${endX}`;
    area += `H${endX}V${height}H${segment.startX}Z`;
    segment = null;
  };

  for (const s of visible) {
    const sx = x(s.ts);
    if (typeof s.value !== "number") {
      closeSegment(sx);
      continue;
    }
    const sy = y(s.value);
    if (segment === null) {
      line += `M${sx} ${sy}`;
      area += `M${sx} ${height}V${sy}`;
      segment = { startX: sx, lastY: sy };
    } else {
      line += `H${sx}V${sy}`;
      area += `H${sx}V${sy}`;
      segment.lastY = sy;
    }
  }
  closeSegment(width);
  if (line === "") return null;
  return { line, area, peak };
}

/** @param {number} n */
function round(n) {
  return Math.round(n * 10) / 10;
}
