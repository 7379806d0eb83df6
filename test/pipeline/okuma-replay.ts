// Turns the real Okuma SHDR log (fixtures/mtconnect/cppagent) into pipeline readings for
// a handful of catalogue keys (the rest as raw.<key>). Not an SHDR parser (that is the SHDR adapter's
// job, with its own golden tests): just enough to drive the pipeline with a
// real machine's sequence of execution / program / part count / conditions.
import { readFileSync } from "node:fs";
import type { Reading } from "../../src/core/observation.ts";
import type { SignalId } from "../../src/core/signals.ts";
import { CPPAGENT_FIXTURES } from "../support/fixtures.ts";

export const OKUMA_LOG = `${CPPAGENT_FIXTURES}/okuma.txt`;

const KEYS: Record<string, SignalId> = {
  avail: "availability",
  pexecution: "execution",
  pmode: "mode",
  pprogram: "program.name",
  ppartcount: "part.count",
  estop: "emergency_stop",
  S1speed: "spindle.speed",
};
const NUMERIC = new Set<string>(["part.count", "spindle.speed"]);
// From Devices.xml (category="CONDITION"); the line shape alone cannot tell.
const CONDITIONS = new Set([
  "system",
  "CoolantSystem1_cond",
  "ElectricSystem1_cond",
  "HydraulicSystem1_cond",
  "LubricationSystem1_cond",
  "PneumaticSystem1_cond",
  "LoaderSystem1_cond",
  "WasteDisposalSystem1_cond",
  "ToolingDeliverySystem1_cond",
  "BarFeederSystem1_cond",
]);
const TIMESTAMP = /^\d{4}-\d\d-\d\dT[^|]+\|/;

export function okumaReadings(machine: string): Reading[] {
  const source = { protocol: "shdr", ref: "okuma.txt" } as const;
  const out: Reading[] = [];
  for (const line of readFileSync(OKUMA_LOG, "utf8").split("\n")) {
    if (!TIMESTAMP.test(line)) continue; // asset bodies, protocol lines
    const fields = line.split("|");
    const ts = Date.parse(fields[0]!);
    const key = fields[1]!;
    if (key.startsWith("@")) continue; // asset commands
    if (CONDITIONS.has(key)) {
      const level = fields[2]!.toLowerCase() as "normal" | "warning" | "fault" | "unavailable";
      const alarm = { key, level, nativeCode: fields[3] ?? "", text: fields[6] ?? "" };
      out.push({ machine, signal: "alarm", value: level, ts, rx: ts, quality: "good", source, alarm });
      continue;
    }
    for (let i = 1; i + 1 < fields.length; i += 2) {
      const key = fields[i]!;
      // Unmapped keys flow as raw.<key>, as the SHDR adapter does.
      const signal = KEYS[key] ?? (`raw.${key}` as SignalId);
      const raw = fields[i + 1]!;
      const value = raw === "UNAVAILABLE" ? null : NUMERIC.has(signal) ? Number(raw) : raw;
      out.push({ machine, signal, value, ts, rx: ts, quality: "good", source });
    }
  }
  return out;
}
