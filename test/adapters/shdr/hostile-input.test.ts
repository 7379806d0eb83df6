import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ShdrAdapter } from "../../../src/adapters/shdr/adapter.ts";
import { shdrMonitorSchema } from "../../../src/adapters/shdr/config.ts";
import { ShdrKeyMap } from "../../../src/adapters/shdr/key-map.ts";
import { ShdrStream } from "../../../src/adapters/shdr/stream.ts";
import { splitShdrFields } from "../../../src/adapters/shdr/tokenize.ts";
import { createMetrics } from "../../../src/web/metrics.ts";
import { FakeShdrServer, waitFor } from "./fake-shdr-server.ts";

// Issue 13 items 1 and 7: one machine's input must not stall the gateway or
// grow its memory without end. The time bounds are generous (a loaded CI box
// must not flake) but far below what the quadratic tokenizer took: 16,000
// unclosed quotes took it 5.3 s, 64,000 took 73 s, a 1 MiB line hours.

const TS = "2022-08-08T13:51:34Z";

function timed<T>(work: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = work();
  return { result, ms: performance.now() - start };
}

describe("SHDR tokenizer: linear on unclosed quotes", () => {
  it("64,000 fields that open a quote and never close it split in well under a second", () => {
    const line = TS + '|"a'.repeat(64_000);
    const { result, ms } = timed(() => splitShdrFields(line));
    expect(result).toHaveLength(64_001);
    expect(result[1]).toBe('"a');
    expect(ms).toBeLessThan(500);
  });

  it("a 1 MiB line of them tokenizes in well under a second, with or without a field limit", () => {
    const line = TS + '|"a'.repeat(350_000);
    expect(line.length).toBeGreaterThan(1_000_000);
    const whole = timed(() => splitShdrFields(line));
    expect(whole.result).toHaveLength(350_001);
    expect(whole.ms).toBeLessThan(1000);
    const limited = timed(() => splitShdrFields(line, 100));
    expect(limited.result).toHaveLength(101);
    expect(limited.ms).toBeLessThan(50);
  });

  it("reads unclosed and closed quotes as before (the fuzz test compares with the old tokenizer)", () => {
    expect(splitShdrFields(`${TS}|"a|b|"c`)).toEqual([TS, '"a', "b", '"c']);
    expect(splitShdrFields(`${TS}|"a|b"|"p|q"`)).toEqual([TS, "a|b", "p|q"]);
    expect(splitShdrFields(`${TS}|"x\\"|y"|z`)).toEqual([TS, 'x"|y', "z"]);
  });
});

describe("SHDR stream: bounded cost per line", () => {
  it("a 1 MiB line of unclosed quotes is one counted error, handled in well under 100 ms", () => {
    const problems: string[] = [];
    const stream = new ShdrStream({
      machine: "lathe-1",
      keyMap: new ShdrKeyMap(),
      maxLineBytes: 2 * 1024 * 1024,
      handlers: { problem: (p) => problems.push(p) },
    });
    const bytes = Buffer.from(`${TS}${'|"a'.repeat(350_000)}\n${TS}|avail|AVAILABLE\n`);
    const { result, ms } = timed(() => stream.push(bytes, 0));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/has more than 10000 fields: skipped \(raise maxFieldsPerLine/);
    expect(result.map((r) => r.signal)).toEqual(["availability"]);
    expect(ms).toBeLessThan(100);
  });

  it("maxFieldsPerLine is configurable and validated", () => {
    const config = shdrMonitorSchema.parse({ type: "shdr", host: "h", maxFieldsPerLine: 200 });
    expect(config.maxFieldsPerLine).toBe(200);
    expect(shdrMonitorSchema.parse({ type: "shdr", host: "h" }).maxFieldsPerLine).toBe(10_000);
    expect(shdrMonitorSchema.safeParse({ type: "shdr", host: "h", maxFieldsPerLine: 5 }).success).toBe(false);
  });
});

describe("SHDR key map: bounded", () => {
  it("remembers at most maxKeys keys; items of later new keys are dropped and counted", () => {
    const keyMap = new ShdrKeyMap({ maxKeys: 100 });
    const stream = new ShdrStream({ machine: "lathe-1", keyMap });
    const pairs = Array.from({ length: 1000 }, (_, i) => `k${i}|${i}`).join("|");
    const readings = stream.push(Buffer.from(`${TS}|${pairs}\n${TS}|k5|55|k999|9\n`), 0);
    expect(keyMap.size).toBe(100);
    // The implied availability, the first 100 keys, and k5 again; k999 came too late.
    expect(readings).toHaveLength(1 + 100 + 1);
    expect(readings.at(-1)).toMatchObject({ signal: "raw.k5", value: 55 });
    expect(stream.counters.dropped).toBe(900 + 1);
  });

  it("the default bound is 10,000 keys", () => {
    const keyMap = new ShdrKeyMap();
    for (let i = 0; i < 20_000; i++) keyMap.get(`key${i}`);
    expect(keyMap.size).toBe(10_000);
    expect(keyMap.get("key19999").overflow).toBe(true);
    expect(keyMap.get("key0").overflow).toBeUndefined();
  });
});

describe("SHDR adapter over TCP: dropped keys reach /metrics", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("maskinport_adapter_dropped_total counts items of keys beyond monitor.maxKeys", async () => {
    const server = await FakeShdrServer.start();
    cleanups.push(() => server.close());
    const pairs = Array.from({ length: 300 }, (_, i) => `k${i}|1`).join("|");
    server.onClient = (socket) => socket.write(`${TS}|${pairs}\n`);
    const config = shdrMonitorSchema.parse({
      type: "shdr",
      host: "127.0.0.1",
      port: server.port,
      maxKeys: 100,
    });
    const adapter = new ShdrAdapter({ machine: "lathe-1", config, random: () => 1 });
    await adapter.start({ emit: () => {}, log: pino({ level: "silent" }) });
    cleanups.push(() => adapter.stop());
    await waitFor("the dropped items", () => (adapter.stats.dropped ?? 0) > 0);
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.trackAdapters(() => [adapter]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('maskinport_adapter_dropped_total{adapter="shdr:lathe-1"} 200');
  });
});
