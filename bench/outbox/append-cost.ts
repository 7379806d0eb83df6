// Why the outbox is append-only segment files and not node:sqlite: the cost of
// one durable append (+ its share of acknowledging and deleting) for the batch
// sizes the pipeline produces. Prints µs per append.
//   node_modules/.bin/node bench/outbox/append-cost.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pino } from "pino";
import { DurableOutbox } from "../../src/sinks/outbox/durable-outbox.ts";
import { SharedOutbox } from "../../src/sinks/outbox/shared-outbox.ts";

const log = pino({ level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "mp-outbox-bench-"));
const ROUNDS = 3000;

function body(items: number): string {
  const parts: string[] = [];
  for (let i = 0; i < items; i++) {
    parts.push(
      `1maskinport/raufoss/lathe-1/signal/spindle.speed\u0000{"v":1,"value":${1000 + i},"unit":"rev/min","ts":1736146800000,"rx":1736146800004,"seq":${i},"quality":"good"}`,
    );
  }
  return parts.join("\n");
}

function segments(items: number, durability: "process" | "power"): number {
  const ob = new DurableOutbox({
    path: join(dir, `seg-${items}-${durability}`),
    name: "bench",
    maxBytes: 1e10,
    whenFull: "pause",
    log,
    durability,
  });
  ob.open();
  const b = body(items);
  const rounds = durability === "power" ? ROUNDS / 10 : ROUNDS;
  let after = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    ob.append(b, items, i);
    if (i % 10 === 9) {
      const e = ob.peek(after, 100);
      after = e.at(-1)?.id ?? after;
      ob.ack(e.map((x) => x.id));
      ob.flushAcks();
    }
  }
  const us = ((performance.now() - t0) * 1000) / rounds;
  ob.close();
  return us;
}

// What the gateway does: one record per batch with a section for each of two
// sinks (MQTT and InfluxDB), each sink peeking and acking its own. Compare with
// twice the one-sink figure (the per-sink outboxes it replaced).
function shared(items: number): number {
  const ob = new SharedOutbox({
    path: join(dir, `shared-${items}`),
    sinks: ["mqtt", "influx"],
    maxBytes: 1e10,
    whenFull: "pause",
    log,
  });
  ob.open();
  const views = [ob.sink("mqtt"), ob.sink("influx")];
  const b = body(items);
  const after = [0, 0];
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    ob.batch(() => {
      for (const v of views) v.append(b, items, i);
    });
    if (i % 10 === 9) {
      for (const [k, v] of views.entries()) {
        const e = v.peek(after[k]!, 100);
        after[k] = e.at(-1)?.id ?? after[k]!;
        v.ack(e.map((x) => x.id));
      }
      ob.flushAcks();
    }
  }
  const us = ((performance.now() - t0) * 1000) / ROUNDS;
  ob.close();
  return us;
}

// The alternative that was measured: one row per batch in a WAL-mode SQLite file.
function sqlite(items: number, synchronous: "NORMAL" | "FULL"): number {
  const db = new DatabaseSync(join(dir, `sqlite-${items}-${synchronous}.db`));
  db.exec(`PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=${synchronous}`);
  db.exec("CREATE TABLE entry (id INTEGER PRIMARY KEY, body TEXT, items INTEGER)");
  const insert = db.prepare("INSERT INTO entry VALUES (?, ?, ?)");
  const peek = db.prepare("SELECT id, body FROM entry WHERE id > ? ORDER BY id LIMIT 100");
  const del = db.prepare("DELETE FROM entry WHERE id <= ?");
  const b = body(items);
  const rounds = synchronous === "FULL" ? ROUNDS / 10 : ROUNDS;
  let after = 0;
  const t0 = performance.now();
  for (let i = 1; i <= rounds; i++) {
    insert.run(i, b, items);
    if (i % 10 === 0) {
      const rows = peek.all(after) as { id: number }[];
      after = rows.at(-1)?.id ?? after;
      del.run(after);
    }
  }
  const us = ((performance.now() - t0) * 1000) / rounds;
  db.close();
  return us;
}

console.log("µs per append (incl. its share of peek + ack + delete)");
console.log("items/batch    bytes  segments  segments+fsync  sqlite-WAL  sqlite-WAL-FULL  shared(2 sinks)");
for (const items of [1, 10, 100, 1000]) {
  const n = body(items).length;
  const row = [
    segments(items, "process"),
    segments(items, "power"),
    sqlite(items, "NORMAL"),
    sqlite(items, "FULL"),
    shared(items),
  ];
  console.log(
    `${String(items).padStart(11)}  ${String(n).padStart(7)}  ${row.map((x, i) => x.toFixed(1).padStart([8, 14, 10, 15, 15][i]!)).join("  ")}`,
  );
}
rmSync(dir, { recursive: true, force: true });
