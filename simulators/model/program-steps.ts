// Builders for the repetitive parts of the library's programs (facing, rough
// turning passes, pecking, zig-zag face milling, pockets, bolt circles), so the
// library in programs.ts reads like a process plan.
import type { Point, Step } from "./programs.ts";

export const rapid = (to: Point): Step => ({ kind: "rapid", to });
export const cut = (to: Point, feed: number, load: number): Step => ({ kind: "cut", to, feed, load });

/** Facing a lathe part from outside the stock to just past the centre. */
export function face(stockDiameter: number, z: number, feed: number, load: number): Step[] {
  return [rapid({ x: stockDiameter + 3, z }), cut({ x: -1.6 }, feed, load), rapid({ z: z + 2 })];
}

/** Rough turning: passes of `depth` (radius) from one diameter down to another, each to zEnd. */
export function roughTurn(
  fromD: number,
  toD: number,
  depth: number,
  zEnd: number,
  feed: number,
  load: number,
): Step[] {
  const diameters: number[] = [];
  for (let d = fromD - 2 * depth; d > toD + 0.01; d -= 2 * depth) diameters.push(Math.round(d * 100) / 100);
  diameters.push(toD);
  return diameters.flatMap((d) => [
    rapid({ x: d }),
    cut({ z: zEnd }, feed, load),
    cut({ x: d + 2 }, feed, load * 0.4),
    rapid({ z: 2 }),
  ]);
}

/** Lathe peck drilling on the centre line with explicit moves, pulling out to clear chips. */
export function peckDrillLathe(depth: number, peck: number, feed: number, load: number): Step[] {
  const steps: Step[] = [rapid({ x: 0, z: 3 })];
  for (let z = -peck; ; z -= peck) {
    const to = Math.max(z, -depth);
    steps.push(cut({ z: to }, feed, load), rapid({ z: 1 }));
    if (to <= -depth) break;
    steps.push(rapid({ z: to + 0.5 }));
  }
  return steps;
}

/** Face milling in zig-zag rows across a rectangle. */
export function faceMill(
  x0: number,
  x1: number,
  ys: number[],
  z: number,
  feed: number,
  load: number,
): Step[] {
  const steps: Step[] = [cut({ z }, feed / 2, load * 0.3)];
  ys.forEach((y, i) => {
    steps.push(cut({ y }, feed, load * 0.5), cut({ x: i % 2 === 0 ? x1 : x0 }, feed, load));
  });
  return steps;
}

/** A rectangular pocket: per depth level, plunge, then rectangles from the centre outwards. */
export function pocket(
  cx: number,
  cy: number,
  halfW: number,
  halfH: number,
  levels: number[],
  stepover: number,
  feed: number,
  load: number,
): Step[] {
  const steps: Step[] = [];
  for (const z of levels) {
    steps.push(rapid({ x: cx, y: cy }), cut({ z }, feed / 4, load * 0.6));
    for (let k = 1; k * stepover <= Math.min(halfW, halfH) + 1e-9; k++) {
      const w = Math.min(halfW, (k * stepover * halfW) / Math.min(halfW, halfH));
      const h = Math.min(halfH, k * stepover);
      steps.push(
        cut({ x: cx - w, y: cy - h }, feed, load),
        cut({ x: cx + w }, feed, load),
        cut({ y: cy + h }, feed, load),
        cut({ x: cx - w }, feed, load),
        cut({ y: cy - h }, feed, load),
      );
    }
    steps.push(rapid({ z: 2 }));
  }
  return steps;
}

/** Bolt circle hole positions. */
export function boltCircle(
  cx: number,
  cy: number,
  radius: number,
  holes: number,
): { x: number; y: number }[] {
  return Array.from({ length: holes }, (_, i) => {
    const a = (2 * Math.PI * i) / holes;
    return {
      x: Math.round((cx + radius * Math.cos(a)) * 1000) / 1000,
      y: Math.round((cy + radius * Math.sin(a)) * 1000) / 1000,
    };
  });
}
