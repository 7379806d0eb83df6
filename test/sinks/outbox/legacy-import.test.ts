// Upgrade path: an outbox.path written by the per-sink outbox of the earlier
// version (fixtures/legacy-outbox, made by that code) still has undelivered
// entries in outbox.path/mqtt and outbox.path/influx. Opening the shared log
// imports them: delivered in order, before anything new, never ignored.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { decodeMessages } from "../../../src/sinks/outbox/publish-queue.ts";
import { SharedOutbox } from "../../../src/sinks/outbox/shared-outbox.ts";
import type { SinkOutbox } from "../../../src/sinks/outbox/sink-outbox.ts";
import { drain } from "./helpers.ts";

const FIXTURE = join(import.meta.dirname, "fixtures", "legacy-outbox");
const root = mkdtempSync(join(tmpdir(), "mp-outbox-legacy-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function copyFixture(): string {
  const path = join(root, `outbox-${++n}`);
  cpSync(FIXTURE, path, { recursive: true });
  return path;
}

type LogLine = { level: number; msg: string; [k: string]: unknown };

function open(path: string, sinks = ["mqtt", "influx"]) {
  const lines: LogLine[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
  const ob = new SharedOutbox({ path, sinks, maxBytes: 1e9, whenFull: "pause", log });
  ob.open();
  return { ob, lines };
}

const mqttSeqs = (view: SinkOutbox) =>
  drain(view).flatMap((e) =>
    decodeMessages(e.body).map((m) => (JSON.parse(m.payload) as { seq: number }).seq),
  );
const influxSeqs = (view: SinkOutbox) =>
  drain(view).flatMap((e) =>
    (JSON.parse(e.body) as [string, unknown, { seq: number }][]).map((p) => p[2].seq),
  );

describe("upgrade from the per-sink outbox folders", () => {
  it("imports what the old folders had not delivered, in order and before new data; the old files go", () => {
    const path = copyFixture();
    const { ob, lines } = open(path);
    const mqtt = ob.sink("mqtt");
    const influx = ob.sink("influx");
    expect(mqtt.depth()).toBe(4);
    expect(influx.depth()).toBe(4);
    expect(ob.lastSeq()).toBe(6); // the pipeline continues after the old outboxes' seqs
    ob.batch(() => {
      mqtt.append("1" + "5:new/t" + '9:{"seq":7}', 1, 7);
      influx.append(JSON.stringify([["signal", {}, { seq: 7 }, 7]]), 1, 7);
    });
    expect(mqttSeqs(mqtt)).toEqual([3, 4, 5, 6, 7]);
    expect(influxSeqs(influx)).toEqual([2, 3, 4, 5, 7]);
    expect(lines.filter((l) => l.msg.includes("imported the undelivered data"))).toHaveLength(2);

    // The old segment and position files are gone; mqtt/ is gone, influx/ keeps its dead letters.
    expect(existsSync(join(path, "mqtt"))).toBe(false);
    expect(readdirSync(join(path, "influx"))).toEqual(["dead-letter.jsonl"]);
    ob.close();

    // Imported once: a restart does not bring them back twice.
    const again = open(path).ob;
    expect(mqttSeqs(again.sink("mqtt"))).toEqual([3, 4, 5, 6, 7]);
    expect(again.lastSeq()).toBe(7);
    again.close();
  });

  it("a crash after the copy but before the old files were deleted gives duplicates, never a loss", () => {
    const path = copyFixture();
    const keep = join(root, `keep-${n}`);
    cpSync(path, keep, { recursive: true });
    open(path).ob.close();
    // Put the old folders back as if the process had died before deleting them.
    cpSync(join(keep, "mqtt"), join(path, "mqtt"), { recursive: true });
    const { ob } = open(path);
    expect(mqttSeqs(ob.sink("mqtt"))).toEqual([3, 4, 5, 6, 3, 4, 5, 6]);
    expect(influxSeqs(ob.sink("influx"))).toEqual([2, 3, 4, 5]);
    ob.close();
  });

  it("an old folder of a sink that is not configured is reported and left in place", () => {
    const path = copyFixture();
    const { ob, lines } = open(path, ["mqtt"]);
    expect(mqttSeqs(ob.sink("mqtt"))).toEqual([3, 4, 5, 6]);
    expect(lines.some((l) => l.level === 40 && String(l.folder).endsWith("influx"))).toBe(true);
    expect(readdirSync(join(path, "influx")).sort()).toEqual([
      "0000000000000001.seg",
      "dead-letter.jsonl",
      "position",
    ]);
    ob.close();
  });

  it("refuses to import while an old gateway still holds its folder", () => {
    const path = copyFixture();
    writeFileSync(join(path, "mqtt", "lock"), String(process.ppid)); // a live process
    expect(() => open(path)).toThrow(/is in use by another process .*outbox\.path/);
    // Untouched: the next start imports it.
    expect(readFileSync(join(path, "mqtt", "position")).length).toBeGreaterThan(0);
    rmSync(join(path, "mqtt", "lock"));
    const { ob } = open(path);
    expect(mqttSeqs(ob.sink("mqtt"))).toEqual([3, 4, 5, 6]);
    ob.close();
  });
});
