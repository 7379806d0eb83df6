import type { Reading } from "../core/observation.ts";
import type { SignalEntry } from "./signal-entry.ts";

/** Per-signal absolute deadbands from the pipeline options, e.g. `{ "spindle.speed": 5 }`. */
export type DeadbandConfig = Readonly<Record<string, number>>;

const INDEXED = /^([a-z_]+)\.\d+(\..+)?$/;

/** Reject negative / non-finite bands up front, naming the offending key. */
export function validateDeadbands(config: DeadbandConfig | undefined, where = "deadband"): DeadbandConfig {
  if (config === undefined) return {};
  for (const [signal, band] of Object.entries(config)) {
    if (typeof band !== "number" || !Number.isFinite(band) || band < 0) {
      throw new RangeError(`${where}["${signal}"]: expected a finite number ≥ 0, got ${String(band)}`);
    }
  }
  return config;
}

/**
 * The band for a signal: its own entry, else its base signal's entry for an
 * indexed variant (`spindle.2.speed` uses `spindle.speed`), else 0 (none).
 * Called once per machine+signal when its entry is created, not per reading.
 */
export function deadbandFor(config: DeadbandConfig, signal: string): number {
  const own = Object.hasOwn(config, signal) ? config[signal] : undefined;
  if (own !== undefined) return own;
  const m = INDEXED.exec(signal);
  if (m) {
    const base = `${m[1]}${m[2] ?? ""}`;
    if (Object.hasOwn(config, base)) return config[base] ?? 0;
  }
  return 0;
}

/**
 * Deadband: drop a numeric reading that differs from the last KEPT value by
 * less than the band (|Δ| < band; a change of exactly the band passes).
 * Comparing with the last kept value, not the last received one, means a slow
 * drift still comes through once it adds up to the band. Changes to or from
 * null/non-numbers and changes of quality always pass.
 */
export function withinDeadband(last: SignalEntry, r: Reading): boolean {
  if (last.deadband === 0) return false;
  const prev = last.value;
  const next = r.value;
  return (
    typeof prev === "number" &&
    typeof next === "number" &&
    last.quality === r.quality &&
    Math.abs(next - prev) < last.deadband
  );
}
