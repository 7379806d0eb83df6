// The durable outbox on its own: order, acknowledgement, replay after a
// restart and after SIGKILL, torn tails, the two policies when full, and the
// messages a technician gets for disk problems.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { DurableOutbox, type DurableOutboxOptions } from "../../../src/sinks/outbox/durable-outbox.ts";
import { capturingLog, drain, freshPaths } from "./helpers.ts";

const freshPath = freshPaths("outbox-test");

function outbox(path: string, extra: Partial<DurableOutboxOptions> = {}) {
  const ob = new DurableOutbox({
    path,
    name: "test",
    maxBytes: 1e9,
    whenFull: "pause",
    log: pino({ level: "silent" }),
    ...extra,
  });
  ob.open();
  return ob;
}

describe("DurableOutbox", () => {
  it("hands out entries in append order and forgets them only when acknowledged", () => {
    const path = freshPath();
    const ob = outbox(path);
    for (let i = 1; i <= 5; i++) expect(ob.append(`b${i}`, 2, i * 10)).toBe(true);
    expect(ob.stats).toMatchObject({ entries: 5, items: 10, appended: 10 });
    const first = ob.peek(0, 3);
    expect(first.map((e) => e.body)).toEqual(["b1", "b2", "b3"]);
    expect(ob.peek(first.at(-1)!.id, 10).map((e) => e.body)).toEqual(["b4", "b5"]);

    // Out of order: b2 acknowledged before b1 counts only once b1 is.
    ob.ack([first[1]!.id]);
    expect(ob.deliveredThrough()).toBe(0);
    ob.ack([first[0]!.id]);
    expect(ob.deliveredThrough()).toBe(first[1]!.id);
    expect(ob.stats).toMatchObject({ entries: 3, items: 6, delivered: 4 });
    expect(ob.peek(0, 10).map((e) => e.body)).toEqual(["b3", "b4", "b5"]);
    expect(ob.lastSeq()).toBe(50);
    ob.close();

    // A restart delivers what was not acknowledged, nothing else.
    const again = outbox(path);
    expect(again.stats).toMatchObject({ entries: 3, items: 6 });
    expect(drain(again).map((e) => e.body)).toEqual(["b3", "b4", "b5"]);
    expect(again.lastSeq()).toBe(50);
    again.close();
  });

  it("keeps the id sequence and last seq after everything was delivered", () => {
    const path = freshPath();
    const ob = outbox(path);
    ob.append("a", 1, 7);
    ob.append("b", 1, 9);
    ob.ack(drain(ob).map((e) => e.id));
    ob.close();
    const again = outbox(path);
    expect(again.stats.entries).toBe(0);
    expect(again.lastSeq()).toBe(9);
    again.append("c", 1, 10);
    const [c] = drain(again);
    expect(c).toMatchObject({ id: 3, body: "c" });
    again.close();
  });

  it("deletes segment files once every entry in them is delivered", () => {
    const path = freshPath();
    const ob = outbox(path, { segmentBytes: 4096 });
    for (let i = 0; i < 200; i++) ob.append(`${i} ${"y".repeat(100)}`, 1, i);
    const segments = () => readdirSync(path).filter((f) => f.endsWith(".seg")).length;
    expect(segments()).toBeGreaterThan(4);
    const all = drain(ob, 7);
    expect(all.map((e) => Number(e.body.split(" ")[0]))).toEqual([...Array(200).keys()]);
    ob.ack(all.map((e) => e.id));
    ob.flushAcks();
    expect(segments()).toBe(1);
    expect(ob.stats).toMatchObject({ entries: 0, items: 0, bytes: 0, delivered: 200 });
    ob.close();
  });

  it("survives SIGKILL of the writing process: every append that returned is there, in order", async () => {
    const path = freshPath();
    const child = spawn(process.execPath, [join(import.meta.dirname, "crash-writer.ts"), path, "1"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    // Let it write a few thousand batches (several segment files), then kill it mid-stream.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`writer too slow: ${out.length} bytes of output`)),
        15_000,
      );
      child.stdout.on("data", () => {
        if (out.split("\n").length > 3000) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGKILL");
    // "close", not "exit": only then has every line the child wrote been read.
    await new Promise((r) => child.once("close", r));
    const reported = out
      .split("\n")
      .filter((l) => l !== "")
      .map(Number);
    const lastReported = reported.at(-1)!;

    const ob = outbox(path);
    const bodies = drain(ob).map((e) => Number(e.body.split(" ")[1]));
    // Reported appends are all there. (More may have completed: the child's stdout is
    // buffered, so lines it wrote after those appends can die with it.)
    expect(bodies.length).toBeGreaterThanOrEqual(lastReported);
    expect(bodies).toEqual(bodies.map((_, i) => i + 1));
    expect(ob.lastSeq()).toBe(bodies.length);
    ob.close();
  });

  it("cuts a torn record off the end and keeps everything before it", () => {
    const path = freshPath();
    const ob = outbox(path);
    ob.append("one", 1);
    ob.append("two", 1);
    ob.close();
    const seg = readdirSync(path).find((f) => f.endsWith(".seg"))!;
    const size = statSync(join(path, seg)).size;
    // Half a header and a few bytes: what a process killed inside write() can leave.
    appendFileSync(join(path, seg), Buffer.from([0x50, 0x4d, 1, 0, 200, 0, 0, 0, 1]));
    const { log, lines } = capturingLog();
    const again = outbox(path, { log });
    expect(statSync(join(path, seg)).size).toBe(size);
    expect(drain(again).map((e) => e.body)).toEqual(["one", "two"]);
    expect(lines.some((l) => l.msg.includes("cut an interrupted write"))).toBe(true);
    again.append("three", 1);
    expect(drain(again).map((e) => e.body)).toEqual(["one", "two", "three"]);
    again.close();
  });

  it("drop-oldest: deletes the oldest undelivered data when full, counts and logs it", () => {
    const { log, lines } = capturingLog();
    const ob = outbox(freshPath(), { maxBytes: 20_000, segmentBytes: 4000, whenFull: "drop-oldest", log });
    for (let i = 0; i < 100; i++) expect(ob.append(`${i} ${"z".repeat(468)}`, 1, i)).toBe(true);
    expect(ob.stats.bytes).toBeLessThanOrEqual(20_000);
    expect(ob.stats.dropped).toBeGreaterThan(50);
    expect(ob.stats.appended).toBe(100);
    expect(ob.stats.dropped + ob.stats.items).toBe(100);
    const kept = drain(ob).map((e) => Number(e.body.split(" ")[0]));
    // What is left is the newest data, still in order and contiguous.
    expect(kept.at(-1)).toBe(99);
    expect(kept).toEqual(kept.map((_, i) => kept[0]! + i));
    const warn = lines.filter((l) => l.msg.includes("dropped the oldest"));
    expect(warn.length).toBe(1); // one line per episode, not one per batch
    expect(warn[0]).toMatchObject({ outbox: "test", level: 40 });
    ob.close();
  });

  it("pause: signals backpressure when full, takes the headroom, then refuses (counted); resumes after deliveries", () => {
    const { log, lines } = capturingLog();
    const ob = outbox(freshPath(), { maxBytes: 10_000, headroomBytes: 2000, segmentBytes: 4000, log });
    const signals: boolean[] = [];
    ob.onBackpressure((p) => signals.push(p));
    let accepted = 0;
    for (let i = 0; i < 40; i++) if (ob.append(`${i} ${"p".repeat(468)}`, 1, i)) accepted++;
    expect(ob.stats.paused).toBe(true);
    expect(signals).toEqual([true]);
    expect(accepted).toBeGreaterThan(20);
    expect(ob.stats.rejected).toBe(40 - accepted);
    expect(ob.stats.bytes).toBeLessThanOrEqual(12_000);
    expect(lines.some((l) => l.msg.includes("pausing intake"))).toBe(true);
    expect(lines.filter((l) => l.msg.includes("refusing new data")).length).toBe(1);

    const all = drain(ob);
    expect(all.map((e) => Number(e.body.split(" ")[0]))).toEqual([...Array(accepted).keys()]);
    ob.ack(all.map((e) => e.id));
    ob.flushAcks();
    expect(ob.stats.paused).toBe(false);
    expect(signals).toEqual([true, false]);
    expect(ob.append("after", 1)).toBe(true);
    ob.close();
  });

  it("refuses a second outbox on the same folder with a clear message", () => {
    const path = freshPath();
    const ob = outbox(path);
    expect(() => outbox(path)).toThrow(/is in use by another outbox in this process.*own outbox\.path/);
    ob.close();
    outbox(path).close(); // free again
  });

  it("takes over a lock left by a process that no longer runs", () => {
    const path = freshPath();
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, "lock"), "999999999");
    const ob = outbox(path);
    ob.append("x", 1);
    ob.close();
  });

  it("explains a path that runs through a file", () => {
    const file = join(freshPath(), "not-a-folder");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, "");
    expect(() => outbox(join(file, "mqtt"))).toThrow(
      /cannot open outbox .*not-a-folder\/mqtt: a part of the path is a file, not a folder: set outbox\.path/,
    );
  });

  it("a full disk: says so once, keeps the data in memory and counts the failures", () => {
    const path = freshPath();
    mkdirSync(path, { recursive: true });
    // Every write to /dev/full fails with ENOSPC, like a full disk.
    symlinkSync("/dev/full", join(path, "0000000000000001.seg"));
    const { log, lines } = capturingLog();
    const ob = outbox(path, { log });
    expect(ob.append("a", 3)).toBe(true);
    expect(ob.append("b", 2)).toBe(true);
    expect(ob.stats).toMatchObject({ memoryItems: 5, entries: 0 });
    expect(ob.stats.writeErrors).toBeGreaterThanOrEqual(2);
    expect(ob.depth()).toBe(5);
    const errors = lines.filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.error)).toMatch(/the disk is full: free space on that disk/);
    ob.close();
  });
});
