// Types for the browser module layout.js, so server-side tests can import it.
export function fitGrid(o: {
  count: number;
  width: number;
  height: number;
  baseWidth: number;
  baseHeight: number;
  gap: number;
  minScale: number;
  maxScale: number;
}): { columns: number; scale: number; fits: boolean };
export function balance(count: number, maxColumns: number): number;
export function naturalColumns(count: number, width: number, baseWidth: number, gap: number): number;
