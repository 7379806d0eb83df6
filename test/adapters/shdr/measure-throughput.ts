// Quick throughput figures for the SHDR parse + normalise path (not a test;
// timed assertions do not belong in tests). Run:
//   node_modules/.bin/node test/adapters/shdr/measure-throughput.ts
import { readFileSync } from "node:fs";
import { findDevice, parseDevicesXml } from "../../../src/adapters/mtconnect-common/devices.ts";
import { convertShdrRecord, type ShdrConvertReport } from "../../../src/adapters/shdr/convert.ts";
import { ShdrKeyMap } from "../../../src/adapters/shdr/key-map.ts";
import { ShdrLineParser } from "../../../src/adapters/shdr/line-parser.ts";
import { ShdrStream } from "../../../src/adapters/shdr/stream.ts";
import type { Reading } from "../../../src/core/observation.ts";
import { CPPAGENT_FIXTURES } from "../mtconnect-common/fixtures.ts";

const device = findDevice(parseDevicesXml(readFileSync(`${CPPAGENT_FIXTURES}/Devices.xml`, "utf8")), "OKUMA");
const okumaMap = new ShdrKeyMap({ device });
const okumaText = readFileSync(`${CPPAGENT_FIXTURES}/okuma.txt`, "utf8");
const okumaLines = okumaText.split("\n");
const synthetic: string[] = [];
for (let i = 0; i < 200_000; i++) {
  const s = String(i % 60).padStart(2, "0");
  const ms = String(i % 1000).padStart(3, "0");
  synthetic.push(
    `2024-01-01T10:00:${s}.${ms}Z|Sspeed|${1000 + (i % 50)}|Sload|${i % 100}|Xact|${(i * 0.01).toFixed(3)}`,
  );
}

function parseAndConvert(lines: readonly string[], keyMap: ShdrKeyMap): number {
  const parser = new ShdrLineParser({ keyType: keyMap.typeOf });
  const report: ShdrConvertReport = { badValues: [], ignored: 0 };
  let readings = 0;
  for (const line of lines) {
    const r = parser.parseLine(line, 0);
    if (r?.kind !== "data") continue;
    const out: Reading[] = [];
    convertShdrRecord(r, { machine: "m", keyMap, rx: 0 }, out, report);
    readings += out.length;
  }
  return readings;
}

/** Best of `reps` runs: the machine is shared, so the fastest run is the least disturbed one. */
function measure(name: string, lines: number, run: () => number, reps: number): void {
  for (let i = 0; i < 3; i++) run(); // warm up
  let best = Number.POSITIVE_INFINITY;
  let readings = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    readings = run();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  console.log(
    `${name.padEnd(44)} ${(lines / best / 1000).toFixed(0).padStart(6)}k lines/s  ${(readings / best / 1e6).toFixed(2)}M readings/s`,
  );
}

measure("okuma.txt, parse + normalise", okumaLines.length, () => parseAndConvert(okumaLines, okumaMap), 30);
measure(
  "3-pair lines, parse + normalise",
  synthetic.length,
  () => parseAndConvert(synthetic, new ShdrKeyMap()),
  10,
);
const syntheticBytes = Buffer.from(`${synthetic.join("\n")}\n`);
measure(
  "3-pair lines, framing from 64 KiB chunks too",
  synthetic.length,
  () => {
    const stream = new ShdrStream({ machine: "m", keyMap: new ShdrKeyMap() });
    let n = 0;
    for (let at = 0; at < syntheticBytes.length; at += 65_536) {
      n += stream.push(syntheticBytes.subarray(at, at + 65_536), 0).length;
    }
    return n;
  },
  10,
);
