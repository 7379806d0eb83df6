// Number formatting shared by the bench tables.

/** 123456 → "123,456"; 0.5 → "0.5". */
export function count(n: number): string {
  if (!Number.isFinite(n)) return "–";
  return Math.round(n).toLocaleString("en");
}

/** 1234567 → "1.23 M", 123456 → "123 k". */
export function rate(n: number, unit: string): string {
  if (!Number.isFinite(n)) return "–";
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M ${unit}`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)} k ${unit}`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k ${unit}`;
  return `${n.toFixed(0)} ${unit}`;
}

/** Milliseconds with a sensible number of decimals. */
export function ms(n: number): string {
  if (!Number.isFinite(n)) return "–";
  if (n < 10) return `${n.toFixed(2)} ms`;
  if (n < 100) return `${n.toFixed(1)} ms`;
  return `${n.toFixed(0)} ms`;
}
