import type { AlarmDetail, ObservationValue, Quality, Reading } from "../../core/observation.ts";
import { parseDevicesXml } from "../mtconnect-common/devices.ts";
import { bindAgent, type ItemBinding, type MachineBindingConfig } from "./bindings.ts";
import { type MtObservation, StreamsParser } from "./streams-parser.ts";
import { TimestampCache } from "./timestamp.ts";

// Pure conversion: one MTConnect observation of a bound data item → readings
// in the catalogue's vocabulary. No I/O, no state beyond a timestamp cache, so
// it is golden-tested against captured agent documents (test/adapters/mtconnect/cases).
//
// - UNAVAILABLE → value null (availability keeps the word "UNAVAILABLE", as
//   from the SHDR adapter); quality stays "good": the agent reported it.
// - Numbers are converted to the catalogue unit (MILLIMETER/SECOND → mm/min ×60).
//   A measurement that is not a number ("", a 3-D "1 2 3" position) keeps its
//   text with quality "uncertain": visible, never silently dropped. Counts
//   (part count, tool "T0101") and raw samples keep non-numeric text as is.
// - A TimeSeries observation becomes one reading per sample; the observation's
//   timestamp is that of the last sample (MTConnect Part 3), earlier samples
//   are spaced by 1/sampleRate.
// - A condition becomes an `alarm` reading whose value is its level and whose
//   `alarm` detail carries key, nativeCode, severity, qualifier and text.

const defaultTimes = new TimestampCache();

function typedValue(text: string, b: ItemBinding): { value: ObservationValue; quality: Quality } {
  if (b.numeric === "text") return { value: text, quality: "good" };
  if (text !== "") {
    const n = Number(text);
    if (Number.isFinite(n)) return { value: b.scale === 1 ? n : n * b.scale, quality: "good" };
  }
  return { value: text, quality: b.numeric === "measure" ? "uncertain" : "good" };
}

function reading(b: ItemBinding, value: ObservationValue, quality: Quality, ts: number, rx: number): Reading {
  const r: Reading = {
    machine: b.machine,
    signal: b.signal,
    value,
    ts,
    rx,
    quality,
    source: { protocol: "mtconnect", ref: b.dataItemId },
  };
  if (b.unit !== undefined) r.unit = b.unit;
  return r;
}

function pushTimeSeries(b: ItemBinding, o: MtObservation, ts: number, rx: number, out: Reading[]): void {
  const parts = o.value!.split(/\s+/).filter((s) => s !== "");
  const n = parts.length;
  const stepMs = o.sampleRate && o.sampleRate > 0 ? 1000 / o.sampleRate : 0;
  for (let i = 0; i < n; i++) {
    const { value, quality } = typedValue(parts[i]!, b);
    out.push(reading(b, value, quality, Math.round(ts - (n - 1 - i) * stepMs), rx));
  }
}

function alarmReading(b: ItemBinding, o: MtObservation, ts: number, rx: number): Reading {
  const level = o.level ?? "unavailable";
  const detail: AlarmDetail = { key: b.alarmKey, level, nativeCode: o.nativeCode ?? "", text: o.value ?? "" };
  if (o.nativeSeverity !== undefined) detail.nativeSeverity = o.nativeSeverity;
  if (o.qualifier !== undefined) detail.qualifier = o.qualifier;
  const r = reading(b, level === "unavailable" ? null : level, "good", ts, rx);
  r.alarm = detail;
  return r;
}

/**
 * Append the readings of observation `o` of bound item `b` to `out`.
 * `rx` is the gateway receive time; `times` caches timestamp parsing.
 */
export function convertObservation(
  b: ItemBinding,
  o: MtObservation,
  rx: number,
  out: Reading[],
  times: TimestampCache = defaultTimes,
): void {
  if (b.ignore) return;
  const parsed = times.parse(o.timestamp);
  const ts = parsed ?? rx;
  if (o.level !== undefined) {
    const r = alarmReading(b, o, ts, rx);
    if (parsed === undefined) r.quality = "uncertain";
    out.push(r);
    return;
  }
  if (o.value === null) {
    // The catalogue spells an unreachable machine's availability UNAVAILABLE (as the SHDR adapter does).
    out.push(reading(b, b.signal === "availability" ? "UNAVAILABLE" : null, "good", ts, rx));
    return;
  }
  if (o.sampleCount !== undefined && b.numeric !== "text") {
    pushTimeSeries(b, o, ts, rx, out);
    return;
  }
  const { value, quality } = typedValue(o.value, b);
  out.push(reading(b, value, parsed === undefined ? "uncertain" : quality, ts, rx));
}

/**
 * A whole MTConnectStreams document → readings, given the agent's probe
 * document and the machines bound to its devices (golden tests, tools).
 */
export function convertDocument(
  devicesXml: string,
  streamsXml: string,
  machines: readonly MachineBindingConfig[],
  rx: number,
): Reading[] {
  const bindings = bindAgent(parseDevicesXml(devicesXml), machines, "(document)");
  const out: Reading[] = [];
  const times = new TimestampCache();
  const parser = new StreamsParser((o) => {
    const b = bindings.byDevice.get(o.device)?.items.get(o.dataItemId);
    if (b) convertObservation(b, o, rx, out, times);
  });
  parser.write(streamsXml);
  parser.end();
  return out;
}
