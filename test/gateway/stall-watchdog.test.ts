import { Writable } from "node:stream";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { ShdrAdapter } from "../../src/adapters/shdr/adapter.ts";
import { shdrMonitorSchema } from "../../src/adapters/shdr/config.ts";
import { type InputSource, StallWatchdog } from "../../src/gateway/stall-watchdog.ts";
import { FakeShdrServer } from "../adapters/shdr/fake-shdr-server.ts";
import { waitFor } from "../support/ports.ts";

// Issue 13: the next input that holds the event loop must name itself. The
// loop is held on purpose here (a busy wait of 300 ms, three times the
// threshold), right after a batch from a known adapter.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function hold(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: nothing else runs on this loop meanwhile
  }
}

function watchdog() {
  const logs: { level: number; msg: string; adapter?: string; machine?: string; stallMs?: number }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const registry = new Registry();
  const dog = new StallWatchdog({ log: pino(sink), registry, thresholdMs: 100, intervalMs: 20 });
  dog.start();
  cleanups.push(() => dog.stop());
  return { dog, logs, registry };
}

const LATHE: InputSource = { adapter: "shdr:lathe-1", protocol: "shdr", machine: "lathe-1" };
const MILL: InputSource = {
  adapter: "mtconnect:http://agent:5000",
  protocol: "mtconnect",
  machine: "mill-2",
};

describe("StallWatchdog", () => {
  it("blames a stall in the pipeline on the batch that caused it, in the log and on /metrics", async () => {
    const { dog, logs, registry } = watchdog();
    await new Promise((r) => setTimeout(r, 30));
    dog.observe(MILL, () => hold(2));
    dog.observe(LATHE, () => hold(300));
    dog.observe(MILL, () => hold(2));
    await waitFor("the stall", () => dog.last?.source === LATHE, 2000);
    expect(dog.last?.ms).toBeGreaterThanOrEqual(200);
    const text = await registry.metrics();
    expect(text).toMatch(/maskinport_event_loop_stalls_total\{machine="lathe-1",protocol="shdr"\} [1-9]/);
    const seconds =
      /maskinport_event_loop_last_stall_seconds\{machine="lathe-1",protocol="shdr"\} ([\d.e-]+)/.exec(text);
    expect(Number(seconds?.[1])).toBeGreaterThanOrEqual(0.2);
    expect(text).not.toMatch(/stalls_total\{machine="mill-2"/);
    const warning = logs.find((l) => l.adapter === "shdr:lathe-1");
    expect(warning).toMatchObject({ level: 40, machine: "lathe-1" });
    expect(warning?.msg).toMatch(
      /^event loop held for \d+ ms; heaviest input before it: shdr:lathe-1 \(machine lathe-1/,
    );
  });

  it("blames slow work before the batch (an adapter's parsing) on that adapter", async () => {
    const { dog } = watchdog();
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        dog.observe(MILL, () => {});
        hold(300); // e.g. tokenizing a hostile line, before the adapter emits
        dog.observe(LATHE, () => {});
        resolve();
      }),
    );
    await waitFor("the stall", () => dog.last, 2000);
    expect(dog.last?.source).toBe(LATHE);
    expect(dog.last?.inputMs).toBeGreaterThanOrEqual(250);
  });

  it("names a real SHDR adapter whose batch held the loop", async () => {
    const { dog, logs } = watchdog();
    const server = await FakeShdrServer.start();
    cleanups.push(() => server.close());
    server.onClient = (socket) => socket.write("2024-03-01T08:00:00Z|avail|AVAILABLE|execution|ACTIVE\n");
    const config = shdrMonitorSchema.parse({ type: "shdr", host: "127.0.0.1", port: server.port });
    const adapter = new ShdrAdapter({ machine: "lathe-1", config, random: () => 1 });
    await adapter.start({
      // The gateway's wiring (gateway.ts startAdapters), with a pipeline that is slow on purpose.
      emit: (readings) =>
        dog.observe(
          { adapter: adapter.id, protocol: adapter.protocol, machine: readings[0]?.machine ?? "" },
          () => hold(300),
        ),
      log: pino({ level: "silent" }),
    });
    cleanups.push(() => adapter.stop());
    await waitFor("the stall", () => logs.find((l) => l.adapter === "shdr:lathe-1"), 5000);
    expect(dog.last?.source).toEqual({ adapter: "shdr:lathe-1", protocol: "shdr", machine: "lathe-1" });
  });
});
