// A sink's view hands the records it just wrote back from memory (no read and
// decode of the file), and falls back to the files when it fell behind or
// after a restart. The file is overwritten behind the log's back to prove
// which of the two a peek used.
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { PublishQueue, type QueuedMessage } from "../../../src/sinks/outbox/publish-queue.ts";
import { SharedOutbox } from "../../../src/sinks/outbox/shared-outbox.ts";
import { drain, freshPaths } from "./helpers.ts";

const freshPath = freshPaths("fresh-records");

function shared(path: string, sinks = ["mqtt", "influx"]) {
  const ob = new SharedOutbox({
    path,
    sinks,
    maxBytes: 1e9,
    whenFull: "pause",
    log: pino({ level: "silent" }),
  });
  ob.open();
  return ob;
}

/** Zeros over every segment file, same length: a peek that reads the files finds nothing valid. */
function clobberSegments(path: string): void {
  for (const f of readdirSync(path).filter((n) => n.endsWith(".seg"))) {
    const file = join(path, f);
    writeFileSync(file, Buffer.alloc(statSync(file).size));
  }
}

describe("fresh records", () => {
  it("are handed to peek from memory, records without this sink's section skipped, acks as before", () => {
    const path = freshPath();
    const ob = shared(path);
    const mqtt = ob.sink("mqtt");
    const influx = ob.sink("influx");
    for (let i = 1; i <= 3; i++) {
      ob.batch(() => {
        mqtt.append(`m${i}`, 1, i);
        influx.append(`i${i}`, 1, i);
      });
    }
    ob.batch(() => influx.append("i4", 1, 4)); // nothing for mqtt in record 4
    ob.batch(() => mqtt.append("m5 ø", 2, 5));
    clobberSegments(path);
    const got = drain(mqtt);
    expect(got.map((e) => [e.id, e.body, e.items])).toEqual([
      [1, "m1", 1],
      [2, "m2", 1],
      [3, "m3", 1],
      [5, "m5 ø", 2],
    ]);
    mqtt.ack([5, 1, 3, 2]);
    expect(mqtt.deliveredThrough()).toBe(5); // record 4 had nothing for it
    expect(mqtt.depth()).toBe(0);
    expect(influx.deliveredThrough()).toBe(0);
    ob.close();
  });

  it("a sink that fell behind reads the older records from the files and the newest from memory, in order", () => {
    const path = freshPath();
    const ob = shared(path, ["mqtt"]);
    const mqtt = ob.sink("mqtt");
    const n = 1500; // more than the view keeps in memory
    for (let i = 1; i <= n; i++) mqtt.append(`body ${i}`, 1, i);
    const got = drain(mqtt, 100);
    expect(got.map((e) => e.body)).toEqual([...Array(n).keys()].map((i) => `body ${i + 1}`));
    mqtt.ack(got.map((e) => e.id));
    expect(mqtt.depth()).toBe(0);
    ob.close();

    // After a restart nothing is in memory: the files.
    const again = shared(path, ["mqtt"]);
    again.sink("mqtt").append("after restart", 1, n + 1);
    expect(drain(again.sink("mqtt")).map((e) => e.body)).toEqual(["after restart"]);
    again.close();
  });

  it("are handed out once: peeked again (a transport that lost its in-flight messages) they come from the files", () => {
    const path = freshPath();
    const ob = shared(path, ["mqtt"]);
    const mqtt = ob.sink("mqtt");
    for (let i = 1; i <= 3; i++) mqtt.append(`again ${i}`, 1, i);
    expect(drain(mqtt).map((e) => e.body)).toEqual(["again 1", "again 2", "again 3"]);
    mqtt.ack([1]);
    expect(drain(mqtt).map((e) => [e.id, e.body])).toEqual([
      [2, "again 2"],
      [3, "again 3"],
    ]);
    ob.close();
  });

  it("after a restart, undelivered records are read from the files", () => {
    const path = freshPath();
    const first = shared(path, ["mqtt"]);
    for (let i = 1; i <= 5; i++) first.sink("mqtt").append(`r${i}`, 1, i);
    first.sink("mqtt").ack([1, 2]);
    first.close();
    const second = shared(path, ["mqtt"]);
    expect(drain(second.sink("mqtt")).map((e) => e.body)).toEqual(["r3", "r4", "r5"]);
    second.close();
  });

  it("PublishQueue hands the transport the messages it was given, without decoding them from the file", () => {
    const path = freshPath();
    const ob = shared(path, ["mqtt"]);
    const queue = new PublishQueue({ outbox: ob.sink("mqtt"), window: 100 });
    const handed: QueuedMessage[] = [];
    const dones: ((err?: Error) => void)[] = [];
    queue.resume((m, done) => {
      handed.push(m);
      dones.push(done);
    });
    const batch: QueuedMessage[] = [
      { topic: "a/b", payload: '{"v":1}', qos: 1, retain: true },
      { topic: "a/c", payload: '{"v":2}', qos: 1, retain: false },
    ];
    expect(queue.enqueue(batch, 2)).toBe(true);
    expect(handed).toHaveLength(2);
    expect(handed[0]).toBe(batch[0]); // the same objects: nothing was decoded
    expect(handed[1]).toBe(batch[1]);
    expect(ob.sink("mqtt").depth()).toBe(2);
    dones[0]!();
    expect(ob.sink("mqtt").depth()).toBe(2); // an entry goes only when every message of it is acknowledged
    dones[1]!();
    expect(ob.sink("mqtt").depth()).toBe(0);
    ob.close();
  });

  it("PublishQueue keeps nothing in memory while the transport is down: the backlog comes from the files", () => {
    const path = freshPath();
    const ob = shared(path, ["mqtt"]);
    const queue = new PublishQueue({ outbox: ob.sink("mqtt"), window: 100 });
    const handed: QueuedMessage[] = [];
    const publish = (m: QueuedMessage, done: (err?: Error) => void) => {
      handed.push(m);
      done();
    };
    queue.resume(publish);
    queue.pause(); // the broker went away
    const batches: QueuedMessage[][] = [1, 2, 3].map((n) => [
      { topic: `t/${n}`, payload: `{"n":${n}}`, qos: 1, retain: true },
    ]);
    for (const b of batches) expect(queue.enqueue(b, 1)).toBe(true);
    expect(handed).toEqual([]);
    queue.resume(publish);
    expect(handed).toEqual(batches.flat()); // the same messages, in order…
    for (let i = 0; i < 3; i++) expect(handed[i]).not.toBe(batches[i]![0]); // …decoded from the files
    expect(ob.sink("mqtt").depth()).toBe(0);
    ob.close();
  });
});
