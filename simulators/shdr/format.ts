// ModelState → SHDR lines, as an MTConnect adapter on a machine writes them:
// `timestamp|key|value|key|value…` for samples and events (one line per
// instant), a message on its own line (`ts|message|code|text`) and one line per
// condition (`ts|system|FAULT|2001|1||SPINDLE OVERLOAD`). Pure functions.
import type { ModelAlarm, ModelState } from "../model/machine-model.ts";
import { SIM_SHDR_KEYS, type SimShdrKeyName } from "./keys.ts";

type ValueKey = Exclude<SimShdrKeyName, "message" | "system">;

const UNAVAILABLE = "UNAVAILABLE";

/** Numbers as short as they can be: 3 decimals at most, no trailing zeros. */
export function shdrNumber(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** Free text must not break the line: `|` and line breaks are replaced. */
export function shdrText(text: string): string {
  return text.replace(/[|\r\n]/g, (c) => (c === "|" ? "/" : " "));
}

/** ISO 8601 UTC with milliseconds, as adapters send it. */
export function shdrTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

const VALUES: Record<ValueKey, (s: ModelState) => string> = {
  avail: (s) => (s.power ? "AVAILABLE" : UNAVAILABLE),
  execution: (s) => s.execution,
  mode: (s) => s.mode,
  program: (s) => (s.program === null ? UNAVAILABLE : shdrText(s.program)),
  line: (s) => String(s.line),
  part_count: (s) => String(s.partCount),
  Sspeed: (s) => shdrNumber(s.spindleSpeed),
  Scmd: (s) => shdrNumber(s.spindleSpeedCmd),
  Sload: (s) => shdrNumber(s.spindleLoad),
  Sovr: (s) => shdrNumber(s.spindleOverride),
  Fact: (s) => shdrNumber(s.feedRate),
  Fovr: (s) => shdrNumber(s.feedOverride),
  Rovr: (s) => shdrNumber(s.rapidOverride),
  Xact: (s) => shdrNumber(s.axes.x),
  Yact: (s) => shdrNumber(s.axes.y),
  Zact: (s) => shdrNumber(s.axes.z),
  Tool: (s) => String(s.tool),
  estop: (s) => s.estop,
};

const VALUE_KEYS = SIM_SHDR_KEYS.map((k) => k.key).filter(
  (k): k is ValueKey => k !== "message" && k !== "system",
);

const messageLine = (ts: string, message: string | null) =>
  `${ts}|message||${message === null ? "" : shdrText(message)}`;

function conditionLine(ts: string, alarm: ModelAlarm): string {
  const level = alarm.severity === "fault" ? "FAULT" : "WARNING";
  const nativeSeverity = alarm.severity === "fault" ? "1" : "2";
  return `${ts}|system|${level}|${shdrText(alarm.code)}|${nativeSeverity}||${shdrText(alarm.text)}`;
}

/** Everything the machine shows: sent to a client on connect and at power-on. */
export function snapshotLines(state: ModelState, ts: string): string[] {
  if (!state.power) return unavailableLines(ts);
  const pairs = VALUE_KEYS.map((k) => `${k}|${VALUES[k](state)}`).join("|");
  const lines = [`${ts}|${pairs}`, messageLine(ts, state.message)];
  if (state.alarms.length === 0) lines.push(`${ts}|system|NORMAL||||`);
  else for (const alarm of state.alarms) lines.push(conditionLine(ts, alarm));
  return lines;
}

/** Power off: every key UNAVAILABLE, as an agent would set them when the adapter goes quiet. */
export function unavailableLines(ts: string): string[] {
  const pairs = VALUE_KEYS.map((k) => `${k}|${UNAVAILABLE}`).join("|");
  return [`${ts}|${pairs}`, `${ts}|message||${UNAVAILABLE}`, `${ts}|system|${UNAVAILABLE}||||`];
}

/** The lines for what changed between two states (none when nothing did). */
export function changeLines(previous: ModelState, next: ModelState, ts: string): string[] {
  if (previous.power && !next.power) return unavailableLines(ts);
  if (!previous.power && next.power) return snapshotLines(next, ts);
  if (!next.power) return [];
  const lines: string[] = [];
  const pairs: string[] = [];
  for (const key of VALUE_KEYS) {
    const value = VALUES[key](next);
    if (value !== VALUES[key](previous)) pairs.push(`${key}|${value}`);
  }
  if (pairs.length > 0) lines.push(`${ts}|${pairs.join("|")}`);
  if (previous.message !== next.message) lines.push(messageLine(ts, next.message));
  lines.push(...conditionChangeLines(previous.alarms, next.alarms, ts));
  return lines;
}

function conditionChangeLines(
  previous: readonly ModelAlarm[],
  next: readonly ModelAlarm[],
  ts: string,
): string[] {
  const lines: string[] = [];
  for (const alarm of next) {
    const before = previous.find((a) => a.code === alarm.code);
    if (!before || before.severity !== alarm.severity || before.text !== alarm.text) {
      lines.push(conditionLine(ts, alarm));
    }
  }
  const cleared = previous.filter((a) => !next.some((b) => b.code === a.code));
  if (cleared.length === 0) return lines;
  // NORMAL with a code clears that code; NORMAL without one clears them all.
  if (next.length === 0) lines.push(`${ts}|system|NORMAL||||`);
  else for (const alarm of cleared) lines.push(`${ts}|system|NORMAL|${shdrText(alarm.code)}|||`);
  return lines;
}
