// Spindle-speed sparkline: time series → SVG path data. Pure, no DOM.
//
// Values are drawn as steps (hold the last value until the next one), which
// is what a coalesced, change-driven stream really says: nothing changed in
// between. A null value (machine unavailable) breaks the line.

/** Keep samples inside the window (plus the last one before it, which still holds at the window's start). */
export function trimSamples(samples, from) {
  let firstInside = samples.findIndex((s) => s.ts >= from);
  if (firstInside < 0) firstInside = samples.length;
  return samples.slice(Math.max(0, firstInside - 1));
}

/**
 * @param samples ascending by ts: { ts, value: number | null }
 * @returns { line, area, peak } path data in a width × height box, or null when there is nothing to draw
 */
export function sparklinePaths(samples, { now, windowMs, width, height }) {
  const from = now - windowMs;
  const visible = trimSamples(samples, from).filter((s) => s.ts <= now);
  if (visible.length === 0) return null;

  let peak = 0;
  for (const s of visible) if (typeof s.value === "number" && s.value > peak) peak = s.value;
  const top = peak > 0 ? peak * 1.1 : 1;
  const x = (ts) => round(((Math.max(ts, from) - from) / windowMs) * width);
  const y = (value) => round(height - (value / top) * height);

  let line = "";
  let area = "";
  let segment = null; // { startX, lastY }
  const closeSegment = (endX) => {
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

function round(n) {
  return Math.round(n * 10) / 10;
}
