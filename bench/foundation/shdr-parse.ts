// SHDR parse + normalise rate: bytes as a socket delivers them (64 KiB
// chunks) through ShdrStream — framing, line parsing, key mapping and
// conversion to Readings — exactly what ShdrAdapter runs per chunk, without
// the socket. Two inputs: the real Okuma capture with its Devices.xml key
// map, and the typical line of a machine in cycle (three changing samples).
import { readFileSync } from "node:fs";
import { keyMapFromConfig } from "../../src/adapters/shdr/adapter.ts";
import { shdrMonitorSchema } from "../../src/adapters/shdr/config.ts";
import { ShdrKeyMap } from "../../src/adapters/shdr/key-map.ts";
import { ShdrStream } from "../../src/adapters/shdr/stream.ts";
import { CPPAGENT_FIXTURES } from "../../test/support/fixtures.ts";
import { type BestOf, bestOf } from "../support/stats.ts";

const CHUNK = 64 * 1024;

export type ParseResult = {
  lines: BestOf;
  readingsPerLine: number;
  /** Bad-input count of one pass (the inputs are clean: expected 0). */
  errors: number;
};

/** Pushes `bytes` through a fresh ShdrStream (a new connection) `passes` times; returns lines framed. */
function pass(
  bytes: Buffer,
  keyMap: ShdrKeyMap,
  passes: number,
  totals: { readings: number; errors: number },
) {
  let lines = 0;
  for (let p = 0; p < passes; p++) {
    const stream = new ShdrStream({ machine: "bench", keyMap });
    for (let at = 0; at < bytes.length; at += CHUNK) stream.push(bytes.subarray(at, at + CHUNK), 0);
    lines += stream.counters.lines;
    totals.readings = stream.counters.readings;
    totals.errors = stream.counters.errors;
  }
  return lines;
}

function measure(bytes: Buffer, keyMap: ShdrKeyMap, passes: number, runs: number): ParseResult {
  const totals = { readings: 0, errors: 0 };
  const lines = bestOf(() => pass(bytes, keyMap, passes, totals), runs);
  const linesPerPass = pass(bytes, keyMap, 1, totals);
  return { lines, readingsPerLine: totals.readings / linesPerPass, errors: totals.errors };
}

/** okuma.txt (10,770 lines, 4 adapter sessions) with the key map its Devices.xml gives, as configured in sample.yaml. */
export function measureOkumaParse(runs = 25): ParseResult {
  const config = shdrMonitorSchema.parse({
    type: "shdr",
    host: "127.0.0.1",
    devicesXml: `${CPPAGENT_FIXTURES}/Devices.xml`,
    device: "OKUMA",
  });
  const bytes = readFileSync(`${CPPAGENT_FIXTURES}/okuma.txt`);
  // Three passes per run (~60 ms): long enough to time, short enough that
  // some of the runs fall between the neighbours' bursts.
  return measure(bytes, keyMapFromConfig("okuma", config), 3, runs);
}

/** `ts|Sspeed|…|Sload|…|Xact|…`: a new timestamp and three changing samples per line, default key names. */
export function syntheticShdrLines(count: number): Buffer {
  const lines: string[] = [];
  const t0 = Date.UTC(2024, 0, 1, 10);
  for (let i = 0; i < count; i++) {
    const ts = new Date(t0 + i * 7).toISOString();
    lines.push(`${ts}|Sspeed|${1000 + (i % 50)}|Sload|${i % 100}|Xact|${(i * 0.01).toFixed(3)}`);
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** 30,000 lines per run (~40 ms): short runs, many of them, so that some fall between the neighbours' bursts. */
export function measureSyntheticParse(runs = 40): ParseResult {
  return measure(syntheticShdrLines(30_000), new ShdrKeyMap(), 1, runs);
}
