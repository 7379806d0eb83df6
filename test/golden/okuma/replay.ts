import { readFileSync } from "node:fs";
import { findDevice, parseDevicesXml } from "../../../src/adapters/mtconnect-common/devices.ts";
import { shdrMonitorSchema } from "../../../src/adapters/shdr/config.ts";
import { ShdrKeyMap } from "../../../src/adapters/shdr/key-map.ts";
import { ShdrStream } from "../../../src/adapters/shdr/stream.ts";
import { parseShdrTimestamp } from "../../../src/adapters/shdr/timestamp.ts";
import type { MachineEvent } from "../../../src/core/events.ts";
import type { Observation, Reading } from "../../../src/core/observation.ts";
import { Pipeline } from "../../../src/pipeline/pipeline.ts";
import { CPPAGENT_FIXTURES } from "../../support/fixtures.ts";

// The golden run: the real Okuma MULTUS SHDR log (okuma.txt) through the SHDR
// adapter's stream (framing → parsing → key map from the Devices.xml beside
// it → readings) and the core pipeline, summarised into counts and events.
//
// okuma.txt is four adapter sessions joined end to end, and their clocks jump
// back (13:51 → 13:37 → 14:21 → 13:57). The golden feeds the file in file
// order, as a replaying simulator would, and treats each session start (a line
// carrying `avail`, the adapter's initial snapshot) as a new connection: before
// it the stream's connectionLost() readings are fed, stamped 20 s (2 × the
// default 10 s heartbeat) after the previous session's last record, as the
// live adapter would do, after a pipeline tick at that time releases a cycle
// end still waiting for its part counter. Receive time (rx) = the record's own
// timestamp. So no cycle, signal value or alarm leaks from one session into
// the next, and times inside each session are the machine's.

export const MACHINE = "okuma-multus";
export const HEARTBEAT_TIMEOUT_MS = 20_000;

/** The recommended per-machine overrides (as in src/adapters/shdr/sample.yaml). */
export const OKUMA_KEYS = shdrMonitorSchema.parse({
  type: "shdr",
  host: "127.0.0.1",
  keys: { p1BlockNumber: "program.line", p1linenumber: "raw.p1linenumber" },
}).keys;

export type OkumaSummary = ReturnType<typeof replayOkuma>;

const iso = (ms: number) => new Date(ms).toISOString();

function tally(items: readonly { signal: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { signal } of items) out[signal] = (out[signal] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export function replayOkuma() {
  const device = findDevice(
    parseDevicesXml(readFileSync(`${CPPAGENT_FIXTURES}/Devices.xml`, "utf8")),
    "OKUMA",
  );
  if (!device) throw new Error("OKUMA not in Devices.xml");
  const keyMap = new ShdrKeyMap({ device, keys: OKUMA_KEYS });
  const problems: string[] = [];
  const stream = new ShdrStream({ machine: MACHINE, keyMap, handlers: { problem: (p) => problems.push(p) } });
  let clock = 0;
  const pipeline = new Pipeline({ machines: [MACHINE], now: () => clock });

  const readings: Reading[] = [];
  const observations: Observation[] = [];
  const events: MachineEvent[] = [];
  const feed = (batch: Reading[]) => {
    if (batch.length === 0) return;
    readings.push(...batch);
    const out = pipeline.process(batch);
    observations.push(...out.observations);
    events.push(...out.events);
  };
  const tick = (at: number) => {
    clock = at;
    const out = pipeline.tick(at);
    observations.push(...out.observations);
    events.push(...out.events);
  };

  let sessions = 0;
  let lastTs: number | undefined;
  let fromLines = 0;
  let fromLosses = 0;
  const lose = (at: number) => {
    tick(at);
    const lost = stream.connectionLost(at);
    fromLosses += lost.length;
    feed(lost);
  };
  const lines = readFileSync(`${CPPAGENT_FIXTURES}/okuma.txt`, "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop(); // the file ends with LF
  for (const line of lines) {
    const bar = line.indexOf("|");
    const ts = bar > 0 ? parseShdrTimestamp(line.slice(0, bar)) : undefined;
    const startsSession = ts !== undefined && line.includes("|avail|");
    if (startsSession) {
      sessions++;
      if (lastTs !== undefined) lose(lastTs + HEARTBEAT_TIMEOUT_MS);
    }
    const rx = ts ?? clock;
    clock = rx;
    const batch = stream.push(Buffer.from(`${line}\n`, "utf8"), rx);
    if (batch.length > 0) lastTs = Math.max(...batch.map((r) => r.ts));
    fromLines += batch.length;
    feed(batch);
  }
  if (lastTs !== undefined) lose(lastTs + HEARTBEAT_TIMEOUT_MS);

  const raw = [...new Set(readings.filter((r) => r.signal.startsWith("raw.")).map((r) => r.signal))].sort();
  const programs = [
    ...new Set(
      readings.filter((r) => r.signal === "program.name" && r.value !== null).map((r) => String(r.value)),
    ),
  ];
  const partCounts = readings.filter((r) => r.signal === "part.count" && typeof r.value === "number");
  return {
    input: {
      lines: stream.counters.lines,
      sessions,
      assetCommands: stream.counters.assetCommands,
      protocolLines: stream.counters.protocolLines,
      errors: stream.counters.errors,
      problems,
      unmappedKeys: stream.unmappedKeys,
    },
    readings: {
      total: readings.length,
      /** Key updates read from the log (the fixture README counts 25,507). */
      fromLines,
      /** What the four connection losses added (availability, nulls, condition clears). */
      fromLosses,
      bySignal: tally(readings),
      alarmLevels: tally(readings.flatMap((r) => (r.alarm ? [{ signal: r.alarm.level }] : []))),
      rawKeys: raw.length,
      raw,
    },
    observations: { total: observations.length, bySignal: tally(observations) },
    programs,
    partCountMax: Math.max(...partCounts.map((r) => r.value as number)),
    cycles: events.flatMap((e) =>
      e.type === "cycle.end"
        ? [
            {
              program: e.program,
              start: iso(e.startedAt),
              end: iso(e.ts),
              durationMs: e.durationMs,
              partsMade: e.partsMade,
              outcome: e.outcome,
            },
          ]
        : [],
    ),
    alarms: events.flatMap((e) =>
      e.type === "alarm.raise" || e.type === "alarm.clear"
        ? [{ type: e.type, key: e.key, nativeCode: e.nativeCode, ts: iso(e.ts), text: e.text }]
        : [],
    ),
    stateChanges: events.flatMap((e) =>
      e.type === "state.change" ? [{ ts: iso(e.ts), from: e.from, to: e.to }] : [],
    ),
    eventCounts: tally(events.map((e) => ({ signal: e.type }))),
  };
}
