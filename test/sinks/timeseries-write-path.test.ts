import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Observation } from "../../src/core/observation.ts";
import {
  EmbeddedTimeseries,
  type EmbeddedTimeseriesOptions,
} from "../../src/sinks/timeseries/embedded-timeseries.ts";
import { waitFor } from "../support/ports.ts";
import { obs, output } from "./helpers/fixtures.ts";

// The write path's speed-ups (multi-row INSERTs, checkpoints in a worker
// thread) must not change what is stored: these tests read the file back
// with a separate connection.

const silent = pino({ level: "silent" });
const T0 = Date.UTC(2025, 0, 6, 7, 0, 0);

let dir: string;
const stores: EmbeddedTimeseries[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "maskinport-tsw-"));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(extra: Partial<EmbeddedTimeseriesOptions> = {}): Promise<EmbeddedTimeseries> {
  const store = new EmbeddedTimeseries({
    path: join(dir, "ts.db"),
    retentionDays: 0,
    log: silent,
    flushIntervalMs: 60_000,
    ...extra,
  });
  stores.push(store);
  await store.start();
  return store;
}

type Row = {
  machine: string;
  signal: string;
  ts: number;
  seq: number;
  value_num: number | null;
  value_text: string | null;
  session: string | null;
  quality: string | null;
  detail: string | null;
};

function readRows(path: string): Row[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db
      .prepare(
        "SELECT machine, signal, ts, seq, value_num, value_text, session, quality, detail FROM signal_named ORDER BY seq",
      )
      .all() as Row[];
  } finally {
    db.close();
  }
}

/** 257 observations over three series with every kind of value: more than two full multi-row INSERTs plus a rest. */
function mixed(): Observation[] {
  const out: Observation[] = [];
  for (let i = 0; i < 257; i++) {
    const seq = i + 1;
    const ts = T0 + i * 10;
    switch (i % 6) {
      case 0:
        out.push(obs("lathe-1", "spindle.speed", i * 1.5, seq, ts));
        break;
      case 1:
        out.push(obs("lathe-1", "execution", i % 2 ? "ACTIVE" : "READY", seq, ts, { session: "p-7f3a" }));
        break;
      case 2:
        out.push(obs("mill-2", "spindle.speed", null, seq, ts, { quality: "bad" }));
        break;
      case 3:
        out.push(obs("mill-2", "spindle.speed", Number.NaN, seq, ts, { quality: "uncertain" }));
        break;
      case 4:
        out.push(obs("lathe-1", "spindle.speed", true, seq, ts));
        break;
      default:
        out.push(
          obs("mill-2", "alarm", "fault", seq, ts, {
            alarm: { key: "system", level: "fault", nativeCode: `E${i}`, text: "overload" },
          }),
        );
    }
  }
  return out;
}

function expected(o: Observation): Row {
  const v = o.value;
  return {
    machine: o.machine,
    signal: o.signal,
    ts: o.ts,
    seq: o.seq,
    value_num:
      typeof v === "number" ? (Number.isFinite(v) ? v : null) : typeof v === "boolean" ? (v ? 1 : 0) : null,
    value_text: typeof v === "string" ? v : null,
    session: o.session ?? null,
    quality: o.quality === "good" ? null : o.quality,
    detail: o.alarm ? JSON.stringify(o.alarm) : null,
  };
}

describe("EmbeddedTimeseries: write path", () => {
  it("stores every column of every row exactly, across multi-row INSERT boundaries", async () => {
    const store = await open();
    const all = mixed();
    // Uneven pieces, so batches straddle the multi-row statement size.
    store.write(output({ observations: all.slice(0, 7) }));
    store.write(output({ observations: all.slice(7, 180) }));
    store.write(output({ observations: all.slice(180) }));
    await store.flush();
    expect(store.stats.rows).toBe(257);
    expect(readRows(join(dir, "ts.db"))).toEqual(all.map(expected));
  });

  it("ignores re-inserted observations inside one multi-row INSERT and across flushes", async () => {
    const store = await open();
    const all = mixed();
    store.write(output({ observations: all }));
    await store.flush();
    // A replay of everything, with duplicates inside the same statement too.
    store.write(output({ observations: [...all.slice(0, 150), ...all.slice(0, 150), ...all.slice(150)] }));
    await store.flush();
    expect(readRows(join(dir, "ts.db"))).toEqual(all.map(expected));
  });

  it("checkpoints the WAL into the database file in the background", async () => {
    const path = join(dir, "ts.db");
    const store = await open({ path, checkpointIntervalMs: 200 });
    const all = mixed();
    store.write(output({ observations: all }));
    await store.flush();
    // A copy of the main file alone (no -wal) holds the rows only once they were checkpointed.
    const copy = join(dir, "copy.db");
    await waitFor("a background checkpoint", () => {
      copyFileSync(path, copy);
      try {
        return readRows(copy).length === all.length;
      } catch {
        return false; // copied mid-write: try again
      } finally {
        rmSync(copy, { force: true });
      }
    });
    expect(store.stats.errors).toBe(0);
  });

  it("leaves everything in the database file after stop()", async () => {
    const path = join(dir, "ts.db");
    const store = await open({ path });
    const all = mixed();
    store.write(output({ observations: all }));
    await store.stop();
    stores.length = 0;
    const copy = join(dir, "copy.db");
    copyFileSync(path, copy);
    expect(readRows(copy)).toEqual(all.map(expected));
  });
});

describe("EmbeddedTimeseries: stop", () => {
  it("can be stopped twice at once", async () => {
    const store = await open();
    store.write(output({ observations: mixed() }));
    await Promise.all([store.stop(), store.stop()]);
    stores.length = 0;
    expect(readRows(join(dir, "ts.db"))).toHaveLength(257);
  });
});

/** Nice values of this process's threads (Linux /proc). */
function threadNiceValues(): number[] {
  return readdirSync("/proc/self/task").flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      // After "pid (comm)" come the fields from #3 (state); #19 is nice.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return [Number(fields[19 - 3])];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

describe("EmbeddedTimeseries: its thread's priority", () => {
  it("runs the store's thread at nice 10, so commits give way to the live path", async () => {
    const before = threadNiceValues().filter((n) => n === 10).length;
    const store = await open();
    store.write(output({ observations: mixed() }));
    await store.flush();
    expect(threadNiceValues().filter((n) => n === 10)).toHaveLength(before + 1);
    await store.stop();
    stores.length = 0;
    expect(threadNiceValues().filter((n) => n === 10)).toHaveLength(before);
  });
});
