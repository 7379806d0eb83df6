import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MachineEvent } from "../../src/core/events.ts";
import type { Observation } from "../../src/core/observation.ts";
import {
  EmbeddedTimeseries,
  type EmbeddedTimeseriesOptions,
} from "../../src/sinks/timeseries/embedded-timeseries.ts";
import { storageError } from "../../src/sinks/timeseries/storage-errors.ts";
import { waitFor } from "../support/ports.ts";
import { cycleEnd, obs, output, snapshot } from "./helpers/fixtures.ts";

const silent = pino({ level: "silent" });
const T0 = Date.UTC(2025, 0, 6, 7, 0, 0); // a Monday morning, UTC
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let dir: string;
const stores: EmbeddedTimeseries[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "maskinport-ts-"));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(extra: Partial<EmbeddedTimeseriesOptions> = {}): Promise<EmbeddedTimeseries> {
  const store = new EmbeddedTimeseries({
    path: join(dir, "data", "timeseries.db"),
    retentionDays: 0,
    log: silent,
    ...extra,
  });
  stores.push(store);
  await store.start();
  return store;
}

/** `count` observations of one signal, one per second from `start`, value = index. */
function series(
  machine: string,
  signal: Observation["signal"],
  count: number,
  start = T0,
  firstSeq = 1,
): Observation[] {
  return Array.from({ length: count }, (_, i) => obs(machine, signal, i, firstSeq + i, start + i * 1000));
}

describe("EmbeddedTimeseries: writing", () => {
  it("creates the parent folders and opens the file in WAL mode", async () => {
    await open();
    const check = new DatabaseSync(join(dir, "data", "timeseries.db"), { readOnly: true });
    expect(check.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    check.close();
  });

  it("buffers writes and commits them in transactions of at most flushRows rows", async () => {
    const store = await open({ flushRows: 5000, flushIntervalMs: 60_000 });
    const all = series("lathe-1", "spindle.speed", 12_000);
    for (let i = 0; i < 12; i++) store.write(output({ observations: all.slice(i * 1000, (i + 1) * 1000) }));
    expect(store.queueDepth()).toBe(12_000); // nothing written synchronously
    await store.flush();
    expect(store.queueDepth()).toBe(0);
    expect(store.stats).toMatchObject({ rows: 12_000, flushes: 3, errors: 0 });
  });

  it("writes on its own: on the timer, and at once when flushRows is reached", async () => {
    const byTimer = await open({ flushIntervalMs: 20 });
    byTimer.write(output({ observations: series("lathe-1", "spindle.speed", 10) }));
    await waitFor("the timer flush", () => byTimer.queueDepth() === 0);
    expect(byTimer.stats.rows).toBe(10);

    const byCount = await open({ path: join(dir, "b.db"), flushIntervalMs: 60_000, flushRows: 100 });
    byCount.write(output({ observations: series("lathe-1", "spindle.speed", 150) }));
    await waitFor("the threshold flush", () => byCount.queueDepth() === 0);
    expect(byCount.stats.rows).toBe(150);
  });

  it("commits events within a second while signal rows wait for flushIntervalMs", async () => {
    const store = await open({ flushIntervalMs: 60_000 });
    store.write(output({ observations: series("lathe-1", "spindle.speed", 5) }));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(store.stats.flushes).toBe(0); // signal rows alone wait for their interval
    expect(store.queueDepth()).toBe(5);
    store.write(output({ events: [cycleEnd("lathe-1", T0, T0 + 60_000)] }));
    await waitFor("the event commit", () => store.queueDepth() === 0, 3000);
    expect(store.stats.rows).toBe(5); // the signal rows went along
  });

  it("stores the same observation once (replays are idempotent)", async () => {
    const store = await open();
    const o = obs("lathe-1", "part.count", 5, 1, T0);
    store.write(output({ observations: [o] }));
    store.write(output({ observations: [o] }));
    expect(
      await store.range({ machine: "lathe-1", signal: "part.count", from: T0, to: T0 + 1, maxPoints: 10 }),
    ).toEqual([{ ts: T0, value: 5 }]);
  });

  it("continues seq after a restart: latestSeq covers stored and buffered rows", async () => {
    const path = join(dir, "seq.db");
    const first = await open({ path, flushIntervalMs: 60_000 });
    expect(first.latestSeq()).toBe(0);
    first.write(output({ observations: series("lathe-1", "spindle.speed", 5, T0, 100) }));
    expect(first.latestSeq()).toBe(104); // still buffered
    await first.stop();
    const second = await open({ path });
    expect(second.latestSeq()).toBe(104);
  });
});

describe("EmbeddedTimeseries: range", () => {
  it("returns stored rows as they are when they fit in maxPoints", async () => {
    const store = await open();
    store.write(output({ observations: series("lathe-1", "spindle.load", 5) }));
    expect(
      await store.range({
        machine: "lathe-1",
        signal: "spindle.load",
        from: T0,
        to: T0 + 5000,
        maxPoints: 5,
      }),
    ).toEqual([
      { ts: T0, value: 0 },
      { ts: T0 + 1000, value: 1 },
      { ts: T0 + 2000, value: 2 },
      { ts: T0 + 3000, value: 3 },
      { ts: T0 + 4000, value: 4 },
    ]);
  });

  it("downsamples numbers into maxPoints equal buckets with avg, min and max", async () => {
    const store = await open();
    store.write(output({ observations: series("lathe-1", "spindle.speed", 100) })); // values 0…99, 1 per second
    const points = await store.range({
      machine: "lathe-1",
      signal: "spindle.speed",
      from: T0,
      to: T0 + 100_000,
      maxPoints: 10,
    });
    expect(points).toEqual(
      Array.from({ length: 10 }, (_, k) => ({
        ts: T0 + k * 10_000,
        value: 10 * k + 4.5,
        min: 10 * k,
        max: 10 * k + 9,
      })),
    );
  });

  it("only counts rows inside [from, to) and leaves empty buckets out", async () => {
    const store = await open();
    const rows = [...series("m", "feed.rate", 10, T0), ...series("m", "feed.rate", 10, T0 + 60_000, 11)];
    store.write(output({ observations: rows }));
    // 6 buckets of 10 s from T0+5 s: the gap in the middle has no rows.
    const points = await store.range({
      machine: "m",
      signal: "feed.rate",
      from: T0 + 5000,
      to: T0 + 65_000,
      maxPoints: 6,
    });
    expect(points).toEqual([
      { ts: T0 + 5000, value: 7, min: 5, max: 9 },
      { ts: T0 + 55_000, value: 2, min: 0, max: 4 },
    ]);
  });

  it("keeps unavailable (null) as a null bucket so charts show the gap", async () => {
    const store = await open();
    store.write(
      output({
        observations: [
          obs("m", "spindle.speed", 100, 1, T0),
          obs("m", "spindle.speed", 300, 2, T0 + 1000),
          obs("m", "spindle.speed", null, 3, T0 + 10_000),
          obs("m", "spindle.speed", null, 4, T0 + 11_000),
          obs("m", "spindle.speed", 50, 5, T0 + 20_000),
        ],
      }),
    );
    expect(
      await store.range({ machine: "m", signal: "spindle.speed", from: T0, to: T0 + 30_000, maxPoints: 3 }),
    ).toEqual([
      { ts: T0, value: 200, min: 100, max: 300 },
      { ts: T0 + 10_000, value: null, min: null, max: null },
      { ts: T0 + 20_000, value: 50, min: 50, max: 50 },
    ]);
  });

  it("gives the last value of each bucket for text signals", async () => {
    const store = await open();
    const values = ["READY", "ACTIVE", "FEED_HOLD", "ACTIVE", "STOPPED", "READY"];
    store.write(
      output({ observations: values.map((v, i) => obs("m", "execution", v, i + 1, T0 + i * 1000)) }),
    );
    expect(
      await store.range({ machine: "m", signal: "execution", from: T0, to: T0 + 6000, maxPoints: 2 }),
    ).toEqual([
      { ts: T0, value: "FEED_HOLD" },
      { ts: T0 + 3000, value: "READY" },
    ]);
    expect(
      await store.range({ machine: "m", signal: "execution", from: T0, to: T0 + 2000, maxPoints: 10 }),
    ).toEqual([
      { ts: T0, value: "READY" },
      { ts: T0 + 1000, value: "ACTIVE" },
    ]);
  });

  it("answers [] for an unknown series and rejects nonsense windows", async () => {
    const store = await open();
    expect(
      await store.range({ machine: "nope", signal: "spindle.speed", from: T0, to: T0 + 1, maxPoints: 10 }),
    ).toEqual([]);
    await expect(
      store.range({ machine: "m", signal: "spindle.speed", from: T0, to: T0, maxPoints: 10 }),
    ).rejects.toThrow(RangeError);
    await expect(
      store.range({ machine: "m", signal: "spindle.speed", from: T0, to: T0, maxPoints: 10 }),
    ).rejects.toThrow(/expected finite from < to/);
    await expect(
      store.range({ machine: "m", signal: "spindle.speed", from: 0, to: 1, maxPoints: 0 }),
    ).rejects.toThrow(/maxPoints/);
  });
});

describe("EmbeddedTimeseries: states, cycles, alarms", () => {
  const change = (machine: string, ts: number, from: string, to: string) =>
    ({ type: "state.change", machine, ts, from, to }) as MachineEvent;

  it("builds a state timeline that starts with the state in effect at `from`", async () => {
    const store = await open();
    store.write(output({ events: [change("lathe-1", T0, "offline", "idle")] }));
    store.write(output({ events: [change("lathe-1", T0 + 10 * 60_000, "idle", "running")] }));
    // A snapshot with the same state adds nothing; a new state from a snapshot counts.
    store.write(output({ snapshots: [snapshot("lathe-1", "running", T0 + 10 * 60_000)] }));
    store.write(output({ snapshots: [snapshot("lathe-1", "alarm", T0 + 30 * 60_000)] }));
    store.write(output({ events: [change("mill-2", T0, "offline", "running")] }));

    expect(await store.stateTimeline({ machine: "lathe-1", from: T0 + 5 * 60_000, to: T0 + HOUR })).toEqual([
      { state: "idle", from: T0 + 5 * 60_000, to: T0 + 10 * 60_000 },
      { state: "running", from: T0 + 10 * 60_000, to: T0 + 30 * 60_000 },
      { state: "alarm", from: T0 + 30 * 60_000, to: T0 + HOUR },
    ]);
    expect(await store.stateTimeline({ machine: "lathe-1", from: T0 - HOUR, to: T0 + 60_000 })).toEqual([
      { state: "idle", from: T0, to: T0 + 60_000 },
    ]);
  });

  it("lists cycles overlapping the window, per machine or all", async () => {
    const store = await open();
    store.write(
      output({
        events: [
          cycleEnd("lathe-1", T0, T0 + 60_000, { session: "p-1" }),
          cycleEnd("lathe-1", T0 + HOUR, T0 + HOUR + 90_000, {
            outcome: "aborted",
            partsMade: 0,
          } as Partial<MachineEvent>),
          cycleEnd("mill-2", T0 + 30_000, T0 + 100_000),
        ],
      }),
    );
    expect(await store.cycles({ machine: "lathe-1", from: T0, to: T0 + 2 * HOUR })).toEqual([
      {
        machine: "lathe-1",
        program: "O1234",
        startedAt: T0,
        endedAt: T0 + 60_000,
        durationMs: 60_000,
        partsMade: 1,
        outcome: "completed",
        session: "p-1",
      },
      expect.objectContaining({ startedAt: T0 + HOUR, outcome: "aborted", partsMade: 0, session: null }),
    ]);
    expect((await store.cycles({ from: T0 + 50_000, to: T0 + 70_000 })).map((c) => c.machine)).toEqual([
      "lathe-1",
      "mill-2",
    ]);
  });

  it("pairs alarm raise and clear, keeps active alarms open and records clears without a raise", async () => {
    const store = await open();
    const raise = (ts: number, nativeCode: string) =>
      ({
        type: "alarm.raise",
        machine: "mill-2",
        ts,
        key: "system",
        nativeCode,
        severity: "fault",
        text: `alarm ${nativeCode}`,
      }) as MachineEvent;
    const clear = (ts: number, nativeCode: string, raisedAt: number) =>
      ({
        type: "alarm.clear",
        machine: "mill-2",
        ts,
        key: "system",
        nativeCode,
        text: `alarm ${nativeCode}`,
        raisedAt,
        durationMs: ts - raisedAt,
      }) as MachineEvent;
    store.write(output({ events: [raise(T0, "1010"), raise(T0 + 1000, "2020")] }));
    store.write(output({ events: [clear(T0 + 60_000, "1010", T0), clear(T0 + 5000, "3030", T0 - DAY)] }));

    const all = await store.alarms({ from: T0 - 2 * DAY, to: T0 + HOUR });
    expect(all).toEqual([
      expect.objectContaining({
        nativeCode: "3030",
        severity: null,
        raisedAt: T0 - DAY,
        clearedAt: T0 + 5000,
      }),
      expect.objectContaining({
        nativeCode: "1010",
        severity: "fault",
        raisedAt: T0,
        clearedAt: T0 + 60_000,
        durationMs: 60_000,
      }),
      expect.objectContaining({ nativeCode: "2020", raisedAt: T0 + 1000, clearedAt: null, durationMs: null }),
    ]);
    // After 1010 was cleared only the active 2020 overlaps.
    expect(
      (await store.alarms({ machine: "mill-2", from: T0 + HOUR, to: T0 + 2 * HOUR })).map(
        (a) => a.nativeCode,
      ),
    ).toEqual(["2020"]);
    expect(await store.alarms({ machine: "lathe-1", from: T0, to: T0 + HOUR })).toEqual([]);
  });
});

describe("EmbeddedTimeseries: retention", () => {
  it("deletes signal rows and raw events older than retentionDays, keeps cycles and alarms", async () => {
    // Retention runs in the store's thread on its own clock: data relative to now.
    const now = Date.now();
    const old = now - 10 * DAY;
    const store = await open({ retentionDays: 7, retentionIntervalMs: 60_000 });
    store.write(
      output({
        observations: [obs("m", "part.count", 1, 1, old), obs("m", "part.count", 2, 2, now - DAY)],
        events: [cycleEnd("m", old, old + 1000)],
      }),
    );
    await store.flush();
    const deleted = await store.applyRetention();
    expect(deleted).toBe(2); // one signal row, one raw event
    expect(
      await store.range({ machine: "m", signal: "part.count", from: 0, to: now, maxPoints: 10 }),
    ).toEqual([{ ts: now - DAY, value: 2 }]);
    expect(await store.cycles({ from: 0, to: now })).toHaveLength(1);
  });
});

describe("EmbeddedTimeseries: storage errors", () => {
  it("names the path and the fix when the folder cannot be created", async () => {
    const file = join(dir, "not-a-folder");
    writeFileSync(file, "x");
    const path = join(file, "timeseries.db");
    const store = new EmbeddedTimeseries({ path, retentionDays: 0, log: silent });
    await expect(store.start()).rejects.toThrow(
      `cannot create the folder for the time-series database ${path}: a part of the path is a file, not a folder: set timeseries.embedded.path to a writable location`,
    );
  });

  it("names the path and the fix when the file is not a database", async () => {
    const path = join(dir, "garbage.db");
    writeFileSync(path, "this is not sqlite, just text that is long enough to be read as a header…");
    const store = new EmbeddedTimeseries({ path, retentionDays: 0, log: silent });
    await expect(store.start()).rejects.toThrow(
      `cannot open time-series database ${path}: the file is not a valid SQLite database`,
    );
  });

  it("explains permission and disk-full failures", () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    const sqlite = (errcode: number, errstr: string) =>
      Object.assign(new Error(errstr), { code: "ERR_SQLITE_ERROR", errcode, errstr });
    expect(storageError("open", "/srv/ts.db", errno("EACCES")).message).toBe(
      "cannot open time-series database /srv/ts.db: permission denied: set timeseries.embedded.path to a writable location or fix the folder's permissions",
    );
    expect(storageError("write to", "/srv/ts.db", errno("ENOSPC")).message).toMatch(
      /\/srv\/ts\.db: the disk is full/,
    );
    expect(storageError("write to", "/srv/ts.db", sqlite(13, "database or disk is full")).message).toMatch(
      /the disk is full: free space/,
    );
    expect(
      storageError("write to", "/srv/ts.db", sqlite(8 | (1 << 8), "attempt to write a readonly database"))
        .message,
    ).toMatch(/read-only \(permission denied\)/);
    expect(storageError("open", "/srv/ts.db", sqlite(14, "unable to open database file")).message).toMatch(
      /cannot be opened/,
    );
  });

  it("keeps rows buffered while writes fail and writes them once the disk recovers", async () => {
    const store = await open({ flushIntervalMs: 60_000, busyTimeoutMs: 0 });
    // A file that refuses writes for a while: another connection holds the write lock.
    const blocker = new DatabaseSync(join(dir, "data", "timeseries.db"));
    blocker.exec("BEGIN IMMEDIATE");
    store.write(output({ observations: series("m", "spindle.speed", 3) }));
    await store.flush();
    expect(store.stats.errors).toBe(1);
    expect(store.queueDepth()).toBe(3);
    blocker.exec("ROLLBACK");
    blocker.close();
    await store.flush();
    expect(store.queueDepth()).toBe(0);
    expect(
      await store.range({ machine: "m", signal: "spindle.speed", from: T0, to: T0 + 3000, maxPoints: 10 }),
    ).toHaveLength(3);
  });
});

describe("EmbeddedTimeseries: its thread", () => {
  it("starts a new store thread when the old one dies, and keeps storing", async () => {
    const store = await open({ flushIntervalMs: 60_000 });
    store.write(output({ observations: series("m", "spindle.speed", 3) }));
    await store.flush();
    // Only a bug or running out of memory kills the thread; terminate() stands in for them.
    const thread = (store as unknown as { worker: { terminate(): Promise<number> } }).worker;
    await thread.terminate();
    await expect(store.flush()).resolves.toBeUndefined(); // no thread right now: nothing to wait for
    await waitFor(
      "the new store thread",
      () => (store as unknown as { worker?: unknown }).worker !== undefined,
    );
    store.write(output({ observations: series("m", "spindle.speed", 2, T0 + 3000, 4) }));
    const points = await store.range({
      machine: "m",
      signal: "spindle.speed",
      from: T0,
      to: T0 + 10_000,
      maxPoints: 10,
    });
    expect(points.map((p) => p.value)).toEqual([0, 1, 2, 0, 1]);
    expect(store.stats.dropped).toBe(0);
    expect(store.latestSeq()).toBe(5);
  });
});
