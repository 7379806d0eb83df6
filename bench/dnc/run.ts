// DNC benchmark: effective throughput as a fraction of the theoretical line rate, and
// characters a machine receives after its XOFF. Run: node_modules/.bin/node bench/dnc/run.ts
// (or `npm run bench` once the lead wires it). Prints a table; figures go into README.md.
import { loadavg } from "node:os";
import { createPtyPair } from "../../simulators/dnc/pty-pair.ts";
import { type DncSimulatorOptions, startDncSimulator } from "../../simulators/dnc/server.ts";
import {
  charsPerSecond,
  describeLine,
  type LineSettings,
  resolveProfile,
} from "../../src/dnc/profiles/index.ts";
import { buildSendPayload } from "../../src/dnc/program/payload.ts";
import { defaultPacing, sendPaced, xoffBound } from "../../src/dnc/transport/flow-control.ts";
import { openDncPort } from "../../src/dnc/transport/open.ts";
import { longFanucProgram } from "../../test/dnc/fixtures.ts";

const L9600_7E2: LineSettings = { baud: 9600, dataBits: 7, parity: "even", stopBits: 2 };
const L115200_8N1: LineSettings = { baud: 115200, dataBits: 8, parity: "none", stopBits: 1 };

type Link = "pty" | "tcp";

async function withLine<T>(
  link: Link,
  line: LineSettings,
  simOpts: Partial<DncSimulatorOptions>,
  body: (
    send: (bytes: Buffer, onPause?: (p: boolean) => void) => ReturnType<typeof sendPaced>,
    sim: Awaited<ReturnType<typeof startDncSimulator>>,
  ) => Promise<T>,
): Promise<T> {
  const profile = resolveProfile("fanuc", { line, leaderNuls: 0, trailerNuls: 0 });
  const pair = link === "pty" ? await createPtyPair() : undefined;
  const sim = await startDncSimulator({
    profile,
    ...(pair ? { serialPath: pair.a } : { tcpPort: 0 }),
    ...simOpts,
  });
  const port = await openDncPort({
    endpoint: pair
      ? { transport: "serial", path: pair.b }
      : { transport: "tcp", host: "127.0.0.1", port: sim.port! },
    line,
    flowControl: "xonxoff",
  });
  try {
    return await body(
      (bytes, onPause) => sendPaced(port, bytes, { charsPerSecond: charsPerSecond(line), onPause }),
      sim,
    );
  } finally {
    await port.close();
    await sim.close();
    await pair?.close();
  }
}

async function throughput(link: Link, line: LineSettings, seconds: number) {
  const cps = charsPerSecond(line);
  const text = longFanucProgram(Math.round(cps * seconds));
  const bytes = buildSendPayload(
    text,
    resolveProfile("fanuc", { line, leaderNuls: 0, trailerNuls: 0 }),
  ).bytes;
  return withLine(link, line, { storeCharsPerSecond: cps * 4 }, async (send, sim) => {
    const stats = await send(bytes);
    const stored = await sim.waitForProgram({ timeoutMs: 60_000 });
    if (stored.text !== text) throw new Error("program arrived altered");
    return {
      bytes: bytes.length,
      fraction: bytes.length / (stats.durationMs / 1000) / cps,
      xoffs: stats.xoffCount,
    };
  });
}

async function afterXoff(link: Link, line: LineSettings, seconds: number) {
  const cps = charsPerSecond(line);
  const text = longFanucProgram(Math.round(cps * seconds));
  const bytes = buildSendPayload(
    text,
    resolveProfile("fanuc", { line, leaderNuls: 0, trailerNuls: 0 }),
  ).bytes;
  return withLine(
    link,
    line,
    { bufferBytes: 256, xoffAt: 64, xonAt: 48, storeCharsPerSecond: cps * 0.5 },
    async (send, sim) => {
      const seen: number[] = [];
      await send(bytes, (p) => p && seen.push(performance.now()));
      await sim.waitForProgram({ timeoutMs: 60_000 });
      const s = sim.stats();
      const cycles = sim.model.xoffCycles.map((c) => c.chars).sort((a, b) => a - b);
      const pct = (p: number) => cycles[Math.floor((cycles.length - 1) * p)] ?? 0;
      return {
        cycles: s.xoffSent,
        max: s.maxCharsAfterXoff,
        p50: pct(0.5),
        p99: pct(0.99),
        overruns: s.overruns,
      };
    },
  );
}

const rows: string[] = [];
const row = (...cells: (string | number)[]) => rows.push(`| ${cells.join(" | ")} |`);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} on this machine\n`,
);
rows.push("| line | link | bytes | throughput / line rate |", "|---|---|---|---|");
for (const [link, line, secs] of [
  ["pty", L9600_7E2, 5],
  ["tcp", L9600_7E2, 5],
  ["pty", L115200_8N1, 5],
  ["tcp", L115200_8N1, 5],
] as const) {
  const r = await throughput(link, line, secs);
  row(describeLine(line), link, r.bytes, `${(r.fraction * 100).toFixed(1)} %`);
}
rows.push(
  "",
  "| line | link | pacing bound | XOFF cycles | chars after XOFF p50 / p99 / max | overruns |",
  "|---|---|---|---|---|---|",
);
for (const [link, line, secs] of [
  ["pty", L9600_7E2, 8],
  ["tcp", L9600_7E2, 8],
  ["pty", L115200_8N1, 4],
  ["tcp", L115200_8N1, 4],
] as const) {
  const r = await afterXoff(link, line, secs);
  row(
    describeLine(line),
    link,
    xoffBound(defaultPacing(charsPerSecond(line))),
    r.cycles,
    `${r.p50} / ${r.p99} / ${r.max}`,
    r.overruns,
  );
}
console.log(rows.join("\n"));
