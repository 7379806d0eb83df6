// InfluxSink against a real influxd (1.x from Debian): the schema, batching,
// outage and retry, partial writes with dead letters, and the configuration
// errors a technician must see.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MachineEvent } from "../../../src/core/events.ts";
import { InfluxSink, type InfluxSinkOptions } from "../../../src/sinks/influx/influx-sink.ts";
import { DurableOutbox } from "../../../src/sinks/outbox/durable-outbox.ts";
import { type Influxd, influxCount, influxQuery, startInfluxd } from "../../support/influxd.ts";
import { waitFor } from "../../support/ports.ts";
import { obs, output, snapshot } from "../helpers/fixtures.ts";

const root = mkdtempSync(join(tmpdir(), "mp-influx-sink-"));
let influxd: Influxd;
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.stop();
  rmSync(root, { recursive: true, force: true });
});

type LogLine = { level: number; msg: string; [k: string]: unknown };
function capturingLog() {
  const lines: LogLine[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}

let n = 0;
function setup(extra: Partial<InfluxSinkOptions> = {}) {
  const id = `${process.pid}_${++n}`;
  const database = `sink_${id}`;
  const outbox = new DurableOutbox({
    path: join(root, `ob-${id}`),
    name: "influx",
    maxBytes: 1e8,
    whenFull: "pause",
    log: pino({ level: "silent" }),
  });
  outbox.open();
  const sink = new InfluxSink({
    url: influxd.url,
    database,
    precision: "n",
    createDatabase: true,
    flushIntervalMs: 100,
    backoff: { initialMs: 100, maxMs: 400 },
    outbox,
    deadLetterPath: join(root, `ob-${id}`, "dead-letter.jsonl"),
    log: pino({ level: "silent" }),
    ...extra,
  });
  return { sink, outbox, database, deadLetterPath: join(root, `ob-${id}`, "dead-letter.jsonl") };
}

const q = (db: string, text: string) => influxQuery(influxd.url, text, { db });
const rows = async (db: string, text: string) => {
  const r = await q(db, text);
  const s = r.results[0]?.series?.[0];
  return (s?.values ?? []).map((v) => Object.fromEntries(s!.columns.map((c, i) => [c, v[i]])));
};

describe("InfluxSink", () => {
  it("writes signals, states, cycles, alarms and transfers in the documented schema", async () => {
    const { sink, outbox, database } = setup();
    await sink.start();
    const t = 1_700_000_000_000;
    const events: MachineEvent[] = [
      { type: "state.change", machine: "lathe-1", ts: t + 5, from: "idle", to: "running" },
      {
        type: "cycle.end",
        machine: "lathe-1",
        ts: t + 60_000,
        program: "O1234",
        startedAt: t,
        durationMs: 60_000,
        partsMade: 1,
        outcome: "completed",
        session: "p-7f3a",
      },
      {
        type: "alarm.raise",
        machine: "lathe-1",
        ts: t + 100,
        key: "system",
        nativeCode: "1010",
        severity: "fault",
        text: "Door open",
      },
      {
        type: "alarm.clear",
        machine: "lathe-1",
        ts: t + 900,
        key: "system",
        nativeCode: "1010",
        text: "",
        raisedAt: t + 100,
        durationMs: 800,
      },
      {
        type: "program.transfer",
        machine: "lathe-1",
        ts: t + 50,
        direction: "send",
        file: "O1234.nc",
        checksum: "abc",
        bytes: 1200,
        durationMs: 1400,
        result: "ok",
      },
    ];
    sink.write(
      output({
        observations: [
          obs("lathe-1", "spindle.speed", 1500, 1, t, { session: "p-7f3a", unit: "rev/min" }),
          obs("lathe-1", "spindle.speed", 1510, 2, t), // same millisecond as seq 1: both kept
          obs("lathe-1", "execution", "ACTIVE", 3, t + 1),
          obs("lathe-1", "emergency_stop", true, 4, t + 2),
          obs("lathe-1", "spindle.load", null, 5, t + 3, { quality: "bad" }),
          obs("lathe-1", "spindle.load", Number.NaN, 6, t + 4),
        ],
        events,
        snapshots: [snapshot("mill-1", "idle", t)],
      }),
    );
    await waitFor("an empty outbox", () => (outbox.depth() === 0 ? true : undefined));

    const speed = await rows(database, `SELECT * FROM signal WHERE "signal" = 'spindle.speed'`);
    expect(speed.map((r) => [r.value, r.seq, r.session ?? null])).toEqual([
      [1500, 1, "p-7f3a"],
      [1510, 2, null],
    ]);
    expect(speed[0]!.time).toBe(t); // epoch=ms: the sub-millisecond digits are only for uniqueness
    expect((await rows(database, `SELECT text FROM signal WHERE "signal" = 'execution'`))[0]!.text).toBe(
      "ACTIVE",
    );
    expect(
      (await rows(database, `SELECT value FROM signal WHERE "signal" = 'emergency_stop'`))[0]!.value,
    ).toBe(1);
    const load = await rows(database, `SELECT * FROM signal WHERE "signal" = 'spindle.load'`);
    expect(load.map((r) => [r.value ?? null, r.quality ?? null, r.seq])).toEqual([
      [null, "bad", 5],
      [null, null, 6],
    ]);

    const states = await rows(database, "SELECT * FROM state");
    expect(states.map((r) => [r.machine, r.state])).toEqual([
      ["mill-1", "idle"],
      ["lathe-1", "running"],
    ]);
    const [cycle] = await rows(database, "SELECT * FROM cycle");
    expect(cycle).toMatchObject({
      machine: "lathe-1",
      session: "p-7f3a",
      program: "O1234",
      durationMs: 60_000,
      partsMade: 1,
      outcome: "completed",
      startedAt: t,
      time: t + 60_000,
    });
    // Raise and clear merged into one point at the raise time.
    const alarmRows = await rows(database, "SELECT * FROM alarm");
    expect(alarmRows).toHaveLength(1);
    expect(alarmRows[0]).toMatchObject({
      key: "system",
      nativeCode: "1010",
      severity: "fault",
      text: "Door open",
      raisedAt: t + 100,
      clearedAt: t + 900,
      durationMs: 800,
    });
    const [transfer] = await rows(database, "SELECT * FROM transfer");
    expect(transfer).toMatchObject({ direction: "send", file: "O1234.nc", bytes: 1200, result: "ok" });

    // Tags are exactly machine, signal and session: nothing of high cardinality.
    const tagKeys = await q(database, "SHOW TAG KEYS FROM signal");
    expect(tagKeys.results[0]!.series![0]!.values.flat().sort()).toEqual(["machine", "session", "signal"]);
    await sink.stop();
    outbox.close();
  });

  it("batches by size: 12,000 points arrive in requests of at most batchSize", async () => {
    const { sink, outbox, database } = setup({ batchSize: 5000, flushIntervalMs: 60_000 });
    await sink.start();
    for (let b = 0; b < 120; b++) {
      sink.write(
        output({
          observations: Array.from({ length: 100 }, (_, i) =>
            obs(`m${i % 4}`, "spindle.speed", i, b * 100 + i + 1),
          ),
        }),
      );
    }
    // Two full batches go out without the (one-minute) timer; the rest waits for it or stop().
    await waitFor("two full batches", () => (sink.stats.batches >= 2 ? true : undefined));
    expect(sink.stats.written).toBe(10_000);
    await sink.stop();
    expect(await influxCount(influxd.url, database, "SELECT count(seq) FROM signal")).toBe(12_000);
    expect(outbox.depth()).toBe(0);
    outbox.close();
  });

  it("keeps points while influxd is down and writes every one once it is back", async () => {
    const own = await startInfluxd({ own: true });
    try {
      const { log, lines } = capturingLog();
      const { sink, outbox, database } = setup({ url: own.url, log });
      await sink.start();
      let seq = 0;
      const burst = () =>
        sink.write(
          output({
            observations: Array.from({ length: 50 }, () => obs("lathe-1", "part.count", ++seq, seq)),
          }),
        );
      burst();
      await own.pause();
      for (let i = 0; i < 20; i++) burst();
      await new Promise((r) => setTimeout(r, 600)); // a few failed retries
      expect(outbox.depth()).toBeGreaterThanOrEqual(1000);
      expect(sink.stats.healthy).toBe(false);
      await own.restart();
      burst();
      await waitFor("an empty outbox", () => (outbox.depth() === 0 ? true : undefined), 15_000);
      expect(await influxCount(own.url, database, "SELECT count(seq) FROM signal")).toBe(seq);
      // One warning for the outage (not one per retry), one line for the recovery.
      expect(lines.filter((l) => l.msg.startsWith("influx write failed"))).toHaveLength(1);
      expect(lines.some((l) => l.msg === "influx writes recovered")).toBe(true);
      await sink.stop();
      outbox.close();
    } finally {
      await own.stop();
    }
  });

  it("a partial write (400) keeps the good points and dead-letters the bad ones by name", async () => {
    const { log, lines } = capturingLog();
    const { sink, outbox, database, deadLetterPath } = setup({ log });
    await sink.start();
    // Field types are per measurement (and shard): with `quality` already a float there, a point
    // carrying quality "uncertain" (a string) is a field type conflict; the others are fine.
    const t = 1_700_000_100_000;
    const seed = await fetch(`${influxd.url}/write?db=${database}&precision=ms`, {
      method: "POST",
      body: `signal,machine=seed,signal=spindle.speed quality=1 ${t - 1000}`,
    });
    expect(seed.status).toBe(204);
    const good = Array.from({ length: 40 }, (_, i) => obs("lathe-1", "spindle.speed", i, 100 + i, t + i));
    const bad = [
      obs("mill-9", "spindle.speed", 1, 200, t, { quality: "uncertain" }),
      obs("mill-9", "spindle.speed", 2, 201, t + 1, { quality: "uncertain" }),
    ];
    sink.write(output({ observations: [...good.slice(0, 20), bad[0]!, ...good.slice(20), bad[1]!] }));
    await waitFor("an empty outbox", () => (outbox.depth() === 0 ? true : undefined));

    expect(
      await influxCount(influxd.url, database, `SELECT count(seq) FROM signal WHERE machine = 'lathe-1'`),
    ).toBe(40);
    expect(sink.stats.deadLettered).toBe(2);
    const named = lines
      .filter((l) => l.msg.includes("dead-lettered"))
      .map((l) => l.msg)
      .join("\n");
    expect(named).toContain("signal mill-9/spindle.speed seq 200");
    expect(named).toContain("signal mill-9/spindle.speed seq 201");
    expect(lines.find((l) => l.msg.includes("dead-lettered"))?.reason).toMatch(/field type conflict/);
    const file = readFileSync(deadLetterPath, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(file.map((d) => d.point[2].seq)).toEqual([200, 201]);
    expect(file[0].reason).toMatch(/field type conflict/);
    await sink.stop();
    outbox.close();
  });

  it("401: start() fails naming the credential keys", async () => {
    const secured = await startInfluxd({ admin: { username: "admin", password: "right" } });
    try {
      const { sink, outbox } = setup({ url: secured.url, username: "admin", password: "wrong" });
      await expect(sink.start()).rejects.toThrow(
        /refused the credentials \(401 .*\): check timeseries\.influx\.username \/ password .* timeseries\.influx\.token/,
      );
      outbox.close();
      const ok = setup({ url: secured.url, username: "admin", password: "right" });
      await ok.sink.start();
      ok.sink.write(output({ observations: [obs("lathe-1", "part.count", 1, 1)] }));
      await waitFor("an empty outbox", () => (ok.outbox.depth() === 0 ? true : undefined));
      await ok.sink.stop();
      ok.outbox.close();
    } finally {
      await secured.stop();
    }
  });

  it("a missing database without createDatabase: start() says how to fix it", async () => {
    const { sink, outbox, database } = setup({ createDatabase: false });
    await expect(sink.start()).rejects.toThrow(
      new RegExp(
        `has no database "${database}": create it .* set timeseries\\.influx\\.createDatabase: true`,
      ),
    );
    outbox.close();
  });

  it("a missing retention policy: start() names the key", async () => {
    const { sink, outbox } = setup({ retentionPolicy: "nope" });
    await expect(sink.start()).rejects.toThrow(
      /no retention policy "nope" .* timeseries\.influx\.retentionPolicy/,
    );
    outbox.close();
  });

  it("sends a 2.x/3.x token as `Authorization: Token …`", async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      req.resume();
      req.on("end", () => {
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const { sink, outbox } = setup({
        url: `http://127.0.0.1:${port}`,
        token: "tok-123",
        createDatabase: false,
      });
      await sink.start();
      sink.write(output({ observations: [obs("lathe-1", "part.count", 1, 1)] }));
      await waitFor("an empty outbox", () => (outbox.depth() === 0 ? true : undefined));
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(new Set(seen)).toEqual(new Set(["Token tok-123"]));
      await sink.stop();
      outbox.close();
    } finally {
      server.close();
    }
  });
});
