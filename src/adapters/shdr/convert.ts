import type { AlarmDetail, ObservationValue, Quality, Reading } from "../../core/observation.ts";
import type { SignalId } from "../../core/signals.ts";
import type { ShdrKeyMap, ShdrKeySpec } from "./key-map.ts";
import type { ShdrDataRecord } from "./line-parser.ts";

// Parsed SHDR data records → Readings (pure). The key map decides the signal
// and how the text becomes a value; nothing is dropped except keys configured
// `ignore: true` and keys beyond the key map's bound (maxKeys, counted). Unmapped keys arrive here already as raw.<key> specs.

export type ShdrConvertContext = { machine: string; keyMap: ShdrKeyMap; rx: number };

/** What one conversion found wrong or left out, for the adapter's counters and logs. */
export type ShdrConvertReport = {
  /** Values that should have been numbers and were not (emitted as null, quality "bad"). */
  badValues: string[];
  ignored: number;
  /** Items of keys first seen after the key map was full (maxKeys): dropped. */
  dropped: number;
};

const SCALE_DIGITS = 1e6;

function scaled(n: number, scale: number | undefined): number {
  if (scale === undefined) return n;
  // 63.7292 mm/s × 60 should read 3823.752, not 3823.7520000000004.
  return Math.round(n * scale * SCALE_DIGITS) / SCALE_DIGITS;
}

function toNumber(text: string): number | undefined {
  if (text.length === 0) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function reading(
  ctx: ShdrConvertContext,
  spec: ShdrKeySpec,
  key: string,
  value: ObservationValue,
  ts: number,
  quality: Quality,
): Reading {
  const r: Reading = {
    machine: ctx.machine,
    signal: spec.signal,
    value,
    ts,
    rx: ctx.rx,
    quality,
    source: { protocol: "shdr", ref: key },
  };
  if (spec.unit !== undefined) r.unit = spec.unit;
  return r;
}

/** Append the readings of one data record to `out`; returns what was wrong with it. */
export function convertShdrRecord(
  record: ShdrDataRecord,
  ctx: ShdrConvertContext,
  out: Reading[],
  report: ShdrConvertReport,
): void {
  const ts = record.ts;
  for (const item of record.items) {
    const spec = ctx.keyMap.get(item.key);
    if (spec.ignore) {
      if (spec.overflow) report.dropped++;
      else report.ignored++;
      continue;
    }
    switch (item.kind) {
      case "value": {
        const text = item.value;
        if (text === null) {
          // The catalogue spells an unreachable machine's availability as UNAVAILABLE; everything else is null.
          out.push(
            reading(ctx, spec, item.key, spec.signal === "availability" ? "UNAVAILABLE" : null, ts, "good"),
          );
          break;
        }
        switch (spec.valueKind) {
          case "number": {
            if (text.length === 0) {
              out.push(reading(ctx, spec, item.key, null, ts, "good"));
              break;
            }
            const n = toNumber(text);
            if (n === undefined) {
              report.badValues.push(`${item.key}: ${JSON.stringify(text.slice(0, 40))} is not a number`);
              out.push(reading(ctx, spec, item.key, null, ts, "bad"));
            } else {
              out.push(reading(ctx, spec, item.key, scaled(n, spec.scale), ts, "good"));
            }
            break;
          }
          case "auto": {
            const n = toNumber(text);
            out.push(
              reading(ctx, spec, item.key, n === undefined ? text : scaled(n, spec.scale), ts, "good"),
            );
            break;
          }
          case "upper":
            out.push(reading(ctx, spec, item.key, text.toUpperCase(), ts, "good"));
            break;
          default:
            out.push(reading(ctx, spec, item.key, text, ts, "good"));
        }
        break;
      }
      case "condition": {
        const value = item.level === "unavailable" ? null : item.level.toUpperCase();
        const r = reading(ctx, spec, item.key, value, ts, "good");
        if (spec.signal === "alarm") {
          const alarm: AlarmDetail = {
            key: item.key,
            level: item.level,
            nativeCode: item.nativeCode,
            text: item.text,
          };
          if (item.nativeSeverity !== "") alarm.nativeSeverity = item.nativeSeverity;
          if (item.qualifier !== "") alarm.qualifier = item.qualifier;
          r.alarm = alarm;
        }
        out.push(r);
        break;
      }
      case "message":
        out.push(reading(ctx, spec, item.key, item.text, ts, "good"));
        break;
      case "time_series":
        out.push(reading(ctx, spec, item.key, item.values, ts, "good"));
        break;
    }
  }
}

/**
 * What a lost connection means, as data (the MTConnect agent's convention:
 * every item of a lost adapter becomes UNAVAILABLE): availability
 * UNAVAILABLE, every other signal seen from this machine null, and each
 * condition key seen cleared with level "unavailable".
 */
export function unavailableReadings(
  machine: string,
  seen: ReadonlyMap<SignalId, string>,
  conditionKeys: Iterable<string>,
  now: number,
): Reading[] {
  const base = { machine, ts: now, rx: now, quality: "good" as const };
  const out: Reading[] = [
    {
      ...base,
      signal: "availability",
      value: "UNAVAILABLE",
      source: { protocol: "shdr", ref: seen.get("availability") ?? "connection" },
    },
  ];
  for (const [signal, ref] of seen) {
    if (signal === "availability" || signal === "alarm") continue;
    out.push({ ...base, signal, value: null, source: { protocol: "shdr", ref } });
  }
  for (const key of conditionKeys) {
    out.push({
      ...base,
      signal: "alarm",
      value: null,
      source: { protocol: "shdr", ref: key },
      alarm: { key, level: "unavailable", nativeCode: "", text: "connection lost" },
    });
  }
  return out;
}
