// The shared outbox log: one record per pipeline batch with a section per
// sink, a delivered position per sink, and the proof that a SIGKILL at any
// instant leaves every batch with both sinks or with neither.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { registerOutboxMetrics } from "../../../src/sinks/outbox/outbox-metrics.ts";
import { SharedOutbox, type SharedOutboxOptions } from "../../../src/sinks/outbox/shared-outbox.ts";
import { capturingLog, drain, freshPaths } from "./helpers.ts";

const freshPath = freshPaths("shared-outbox");

function shared(path: string, extra: Partial<SharedOutboxOptions> = {}) {
  const ob = new SharedOutbox({
    path,
    sinks: ["mqtt", "influx"],
    maxBytes: 1e9,
    whenFull: "pause",
    log: pino({ level: "silent" }),
    ...extra,
  });
  ob.open();
  return ob;
}

const segments = (path: string) => readdirSync(path).filter((f) => f.endsWith(".seg"));

describe("SharedOutbox", () => {
  it("writes a batch for both sinks as one record; each sink reads only its section and acks on its own", () => {
    const path = freshPath();
    const ob = shared(path);
    const mqtt = ob.sink("mqtt");
    const influx = ob.sink("influx");
    const appended: string[] = [];
    mqtt.onAppended(() => appended.push("mqtt"));
    for (let i = 1; i <= 3; i++) {
      ob.batch(() => {
        expect(mqtt.append(`m${i}`, 1, i)).toBe(true);
        expect(influx.append(`i${i}`, 2, i)).toBe(true);
        // Nothing is readable before the batch is written.
        expect(mqtt.peek(0, 10).map((e) => e.body)).toEqual([...Array(i - 1).keys()].map((k) => `m${k + 1}`));
        expect(mqtt.depth()).toBe(i);
      });
    }
    expect(appended).toEqual(["mqtt", "mqtt", "mqtt"]);
    expect(ob.log.lastId).toBe(3); // three records, not six
    expect(drain(mqtt).map((e) => e.body)).toEqual(["m1", "m2", "m3"]);
    expect(drain(influx).map((e) => [e.body, e.items])).toEqual([
      ["i1", 2],
      ["i2", 2],
      ["i3", 2],
    ]);
    mqtt.ack([1, 2, 3]);
    influx.ack([1]);
    expect(mqtt.stats).toMatchObject({ items: 0, delivered: 3, appended: 3 });
    expect(influx.stats).toMatchObject({ items: 4, delivered: 2, appended: 6, entries: 2 });
    ob.close();

    // Each sink continues from its own position.
    const again = shared(path);
    expect(drain(again.sink("mqtt"))).toEqual([]);
    expect(drain(again.sink("influx")).map((e) => e.body)).toEqual(["i2", "i3"]);
    expect(again.lastSeq()).toBe(3);
    again.close();
  });

  it("deletes a segment only when every sink has passed it", () => {
    const path = freshPath();
    const ob = shared(path, { segmentBytes: 2048 });
    const mqtt = ob.sink("mqtt");
    const influx = ob.sink("influx");
    for (let i = 1; i <= 60; i++) {
      ob.batch(() => {
        mqtt.append(`${i} ${"m".repeat(100)}`, 1, i);
        influx.append(`${i} ${"i".repeat(100)}`, 1, i);
      });
    }
    const before = segments(path).length;
    expect(before).toBeGreaterThan(4);
    mqtt.ack(drain(mqtt).map((e) => e.id));
    ob.flushAcks();
    expect(segments(path).length).toBe(before); // influx still needs them all
    const inf = drain(influx);
    influx.ack(inf.slice(0, 30).map((e) => e.id));
    ob.flushAcks();
    expect(segments(path).length).toBeLessThan(before);
    expect(segments(path).length).toBeGreaterThan(1);
    influx.ack(inf.map((e) => e.id));
    ob.flushAcks();
    expect(segments(path).length).toBe(1);
    expect(influx.stats).toMatchObject({ items: 0, bytes: 0, delivered: 60 });
    expect(mqtt.stats).toMatchObject({ items: 0, bytes: 0, delivered: 60 });
    ob.close();
  });

  it("records without a section for a sink do not hold it back", () => {
    const path = freshPath();
    const ob = shared(path, { segmentBytes: 1024 });
    const mqtt = ob.sink("mqtt");
    const influx = ob.sink("influx");
    for (let i = 1; i <= 40; i++) {
      ob.batch(() => {
        mqtt.append(`${i} ${"m".repeat(60)}`, 1, i);
        if (i % 4 === 0) influx.append(`${i}`, 1, i);
      });
    }
    expect(influx.depth()).toBe(10);
    const inf = drain(influx, 3);
    expect(inf.map((e) => Number(e.body))).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    influx.ack(inf.map((e) => e.id));
    expect(influx.deliveredThrough()).toBe(40);
    expect(influx.stats.entries).toBe(0);
    // A caught-up sink steps over records that hold nothing for it at once.
    ob.batch(() => mqtt.append("41", 1, 41));
    expect(influx.deliveredThrough()).toBe(41);
    mqtt.ack(drain(mqtt).map((e) => e.id));
    ob.flushAcks();
    expect(segments(path).length).toBe(1);
    ob.close();

    // After a restart, records without its section are stepped over while reading.
    const again = shared(path);
    again.batch(() => again.sink("mqtt").append("42", 1, 42));
    again.batch(() => {
      again.sink("mqtt").append("43", 1, 43);
      again.sink("influx").append("43", 1, 43);
    });
    again.close();
    const third = shared(path);
    expect(drain(third.sink("influx")).map((e) => e.body)).toEqual(["43"]);
    expect(third.sink("influx").stats.items).toBe(1);
    third.close();
  });

  it("pause: a batch is taken or refused as a whole, and the refusal is counted for each sink", () => {
    const { log, lines } = capturingLog();
    const ob = shared(freshPath(), { maxBytes: 10_000, headroomBytes: 2000, segmentBytes: 4000, log });
    const mqtt = ob.sink("mqtt");
    const influx = ob.sink("influx");
    const signals: boolean[] = [];
    ob.onBackpressure((p) => signals.push(p));
    let both = 0;
    for (let i = 0; i < 40; i++) {
      ob.batch(() => {
        const a = mqtt.append(`${i} ${"p".repeat(200)}`, 1, i);
        const b = influx.append(`${i} ${"q".repeat(200)}`, 3, i);
        expect(a).toBe(b);
        if (a) both++;
      });
    }
    expect(signals).toEqual([true]);
    expect(mqtt.stats.rejected).toBe(40 - both);
    expect(influx.stats.rejected).toBe(3 * (40 - both));
    // The batch is admitted on its first section: the headroom may be overrun by one batch's other sections.
    expect(ob.diskBytes()).toBeLessThanOrEqual(12_000 + 250);
    expect(lines.filter((l) => l.msg.includes("refusing new data"))).toHaveLength(1);
    expect(drain(mqtt).length).toBe(both);
    expect(drain(influx).length).toBe(both);
    // Delivered to one sink only: still full. To both: resumes.
    mqtt.ack(drain(mqtt).map((e) => e.id));
    ob.flushAcks();
    expect(ob.paused).toBe(true);
    influx.ack(drain(influx).map((e) => e.id));
    ob.flushAcks();
    expect(signals).toEqual([true, false]);
    expect(mqtt.stats.paused).toBe(false);
    ob.close();
  });

  it("drop-oldest: whole oldest segments go for every sink, counted per sink", () => {
    const { log, lines } = capturingLog();
    const ob = shared(freshPath(), { maxBytes: 20_000, segmentBytes: 4000, whenFull: "drop-oldest", log });
    const mqtt = ob.sink("mqtt");
    const influx = ob.sink("influx");
    for (let i = 0; i < 100; i++) {
      ob.batch(() => {
        mqtt.append(`${i} ${"z".repeat(200)}`, 1, i);
        influx.append(`${i} ${"w".repeat(200)}`, 2, i);
      });
    }
    expect(ob.diskBytes()).toBeLessThanOrEqual(20_000);
    expect(mqtt.stats.dropped).toBeGreaterThan(40);
    expect(influx.stats.dropped).toBe(2 * mqtt.stats.dropped);
    const m = drain(mqtt).map((e) => Number(e.body.split(" ")[0]));
    const i = drain(influx).map((e) => Number(e.body.split(" ")[0]));
    expect(m).toEqual(i);
    expect(m.at(-1)).toBe(99);
    expect(m).toEqual(m.map((_, k) => m[0]! + k));
    expect(mqtt.stats.dropped + mqtt.stats.items).toBe(100);
    expect(lines.filter((l) => l.msg.includes("dropped the oldest"))).toHaveLength(1);
    ob.close();
  });

  it("a sink that joins later starts at the end; one that left is reported, not silently kept", () => {
    const path = freshPath();
    const { log, lines } = capturingLog();
    const solo = new SharedOutbox({ path, sinks: ["mqtt"], maxBytes: 1e9, whenFull: "pause", log });
    solo.open();
    solo.batch(() => solo.sink("mqtt").append("old", 1, 1));
    solo.close();
    const both = shared(path, { log });
    expect(drain(both.sink("influx"))).toEqual([]);
    expect(drain(both.sink("mqtt")).map((e) => e.body)).toEqual(["old"]);
    both.batch(() => both.sink("influx").append("for influx", 1, 2));
    both.close();
    const mqttOnly = new SharedOutbox({ path, sinks: ["mqtt"], maxBytes: 1e9, whenFull: "pause", log });
    mqttOnly.open();
    const warning = lines.find((l) => l.msg.includes("no longer configured"));
    expect(warning).toMatchObject({ sink: "influx", items: 1 });
    mqttOnly.close();
  });

  it("exports per-sink metrics and the log's size", async () => {
    const ob = shared(freshPath());
    const registry = new Registry();
    registerOutboxMetrics(
      registry,
      () => ob.members(),
      () => [ob],
    );
    ob.batch(() => {
      ob.sink("mqtt").append("abc", 3, 1);
      ob.sink("influx").append("de", 2, 1);
    });
    const text = await registry.metrics();
    expect(text).toContain('maskinport_outbox_items{sink="mqtt"} 3');
    expect(text).toContain('maskinport_outbox_items{sink="influx"} 2');
    expect(text).toContain('maskinport_outbox_appended_items_total{sink="influx"} 2');
    expect(text).toMatch(new RegExp(`maskinport_outbox_disk_bytes ${ob.diskBytes()}\\n`));
    ob.close();
  });

  it("SIGKILL at any instant, again and again: every batch is with both sinks or with neither, and seq continues", {
    timeout: 30_000,
  }, async () => {
    const path = freshPath();
    const writer = join(import.meta.dirname, "crash-writer-shared.ts");
    const seen = { mqtt: [] as number[], influx: [] as number[] };
    const collect = (ob: SharedOutbox, ackShare: { mqtt: number; influx: number }) => {
      for (const sink of ["mqtt", "influx"] as const) {
        const view = ob.sink(sink);
        const entries = drain(view);
        const acked = entries.slice(0, Math.floor(entries.length * ackShare[sink]));
        view.ack(acked.map((e) => e.id));
        seen[sink].push(...acked.map((e) => Number(e.body.split(" ")[1])));
      }
    };
    let reportedMax = 0;
    for (let round = 0; round < 6; round++) {
      const before = shared(path, { segmentBytes: 64 * 1024 });
      const start = before.lastSeq() + 1;
      expect(start).toBeGreaterThan(reportedMax); // every reported batch is there (lastSeq ≥ it)
      // Deliver some between crashes, a different share per sink, so the cursors differ.
      collect(before, { mqtt: 0.9, influx: 0.4 });
      before.close();
      const child = spawn(process.execPath, [writer, path, String(start)], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      const want = 400 + round * 300;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`writer too slow: ${out.length} bytes`)), 15_000);
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          if (out.split("\n").length > want) {
            clearTimeout(timer);
            child.kill("SIGKILL");
            resolve();
          }
        });
      });
      // "close", not "exit": only then has every line the child wrote been read.
      await new Promise((r) => child.once("close", r));
      const reported = out
        .split("\n")
        .filter((l) => l !== "")
        .map(Number);
      expect(reported[0]).toBe(start);
      reportedMax = reported.at(-1)!;
    }

    // A batch whose sections were handed over but never written: in neither.
    const last = shared(path);
    const lastSeq = last.lastSeq();
    expect(lastSeq).toBeGreaterThanOrEqual(reportedMax);
    // (More may have been written than reported: the child's stdout is buffered and dies with it.)
    last.close();
    const dying = spawn(process.execPath, [writer, path, String(lastSeq + 1), "die-mid-batch"], {
      stdio: "ignore",
    });
    await new Promise((r) => dying.once("close", r));
    expect(dying.signalCode).toBe("SIGKILL");

    const final = shared(path);
    expect(final.lastSeq()).toBe(lastSeq);
    collect(final, { mqtt: 1, influx: 1 });
    final.close();
    const all = [...Array(lastSeq).keys()].map((k) => k + 1);
    // Every seq exactly once per sink (acks were saved by clean closes: no replays here).
    expect(seen.mqtt.sort((a, b) => a - b)).toEqual(all);
    expect(seen.influx.sort((a, b) => a - b)).toEqual(all.filter((s) => s % 7 !== 0));
  });
});
