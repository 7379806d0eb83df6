// Builders for test readings (not a test file).
import type { AlarmDetail, ObservationValue, Reading } from "../../src/core/observation.ts";
import type { SignalId } from "../../src/core/signals.ts";

export const T0 = Date.UTC(2026, 0, 12, 8, 0, 0);

const SOURCE = { protocol: "sim", ref: "test" } as const;

/** A reading of `signal` = `value` on machine `m` at T0 + `at` ms (rx = ts unless given). */
export function rd(
  m: string,
  signal: SignalId,
  value: ObservationValue,
  at = 0,
  extra: Partial<Reading> = {},
): Reading {
  return { machine: m, signal, value, ts: T0 + at, rx: T0 + at, quality: "good", source: SOURCE, ...extra };
}

/** A condition report on signal `alarm`. */
export function alarm(
  m: string,
  level: AlarmDetail["level"],
  key: string,
  nativeCode: string,
  at = 0,
  text = "",
  nativeSeverity?: string,
): Reading {
  const detail: AlarmDetail = { key, level, nativeCode, text };
  if (nativeSeverity !== undefined) detail.nativeSeverity = nativeSeverity;
  return rd(m, "alarm", level, at, { alarm: detail });
}

/** [signal, value] pairs at one timestamp, as one SHDR line would give them. */
export function line(m: string, at: number, ...pairs: [SignalId, ObservationValue][]): Reading[] {
  return pairs.map(([signal, value]) => rd(m, signal, value, at));
}
