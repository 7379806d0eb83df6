// PendingDrafts: drafts the ledger could not take are held and retried in
// order, with capped backoff, within a bound; a draft at fault is set aside.
// The ledger here is a fake (a list and a switch): this is the queue's logic;
// test/gateway/evidence-outage.test.ts cuts a real PostgreSQL.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { draftRejected } from "../../src/evidence/ledger/unavailable.ts";
import type { EvidenceDraft } from "../../src/evidence/recorder/map-event.ts";
import { PendingDrafts } from "../../src/evidence/recorder/pending-drafts.ts";
import { PostgresUnavailableError } from "../../src/training/store/postgres-errors.ts";
import { storeUnavailable } from "../../src/training/store/store-unavailable.ts";
import { captureLog } from "../support/log-lines.ts";

const TRAINEE = "trainee-7f3a9c";

function draft(n: number, extra: Partial<EvidenceDraft> = {}): EvidenceDraft {
  return {
    type: "cycle.completed",
    traineeId: TRAINEE,
    machine: "lathe-1",
    sessionId: "session-1",
    ts: 1_000 + n,
    payload: { n },
    ...extra,
  };
}

const refused = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

/** A ledger that is down while `down` is set, refuses drafts with `bad`, and logs each call. */
function fakeLedger() {
  const ledger = {
    down: false,
    recorded: [] as number[],
    calls: [] as number[][],
    record: async (drafts: readonly EvidenceDraft[]) => {
      const ns = drafts.map((d) => d.payload.n as number);
      ledger.calls.push(ns);
      await Promise.resolve();
      if (ledger.down) throw refused();
      if (drafts.some((d) => d.payload.bad === true))
        throw new TypeError("canonicalJson: NaN is not a finite number");
      ledger.recorded.push(...ns);
    },
  };
  return ledger;
}

/** Lets the queue's promise chains run (fake timers do not advance microtasks by themselves). */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe("PendingDrafts", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("records at once while the ledger is up, nothing held and nothing logged", async () => {
    const ledger = fakeLedger();
    const { log, lines } = captureLog();
    const onRecorded = vi.fn();
    const q = new PendingDrafts({ record: ledger.record, log, onRecorded });
    q.add([draft(1), draft(2)]);
    q.add([draft(3)]);
    await settle();
    expect(ledger.recorded).toEqual([1, 2, 3]);
    expect(q.stats).toMatchObject({ pending: 0, recordedLate: 0, droppedFull: 0, rejected: 0 });
    expect(onRecorded).toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it("holds drafts through an outage and records them in order, later ones never overtaking", async () => {
    const ledger = fakeLedger();
    const { log, lines } = captureLog();
    const q = new PendingDrafts({ record: ledger.record, log, random: () => 1 });
    ledger.down = true;
    q.add([draft(1)]);
    await settle();
    q.add([draft(2), draft(3)]);
    q.add([draft(4)]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ledger.recorded).toEqual([]);
    expect(q.stats.pending).toBe(4);
    expect(q.stats.outageSince).toBeDefined();
    // While the oldest is refused nothing else is even tried: every call starts with draft 1.
    expect(ledger.calls.every((c) => c[0] === 1)).toBe(true);

    ledger.down = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ledger.recorded).toEqual([1, 2, 3, 4]);
    expect(q.stats).toMatchObject({ pending: 0, recordedLate: 4, outageSince: undefined });

    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.map((l) => l.msg)).toEqual([
      "evidence ledger unreachable; 1 drafts held, retrying",
      "evidence ledger reachable again; 4 held drafts recorded",
    ]);
    expect(logged[1]).toMatchObject({ recordedLate: 4 });
    expect(logged[1]!.outageMs).toBeGreaterThan(5000);
    expect(lines.join("\n")).not.toContain(TRAINEE);
  });

  it("retries with capped exponential backoff", async () => {
    const ledger = fakeLedger();
    const { log } = captureLog();
    const at: number[] = [];
    const start = Date.now();
    const q = new PendingDrafts({
      record: (d) => {
        at.push(Date.now() - start);
        return ledger.record(d);
      },
      log,
      backoff: { initialMs: 100, maxMs: 1000 },
      random: () => 1, // the full delay, no jitter
    });
    ledger.down = true;
    q.add([draft(1)]);
    await vi.advanceTimersByTimeAsync(5000);
    // 0, then +100, +200, +400, +800, then +1000 each (capped).
    expect(at.slice(0, 8)).toEqual([0, 100, 300, 700, 1500, 2500, 3500, 4500]);
  });

  it("catches up in batches, not one call per draft", async () => {
    const ledger = fakeLedger();
    const { log } = captureLog();
    const q = new PendingDrafts({ record: ledger.record, log, random: () => 0 });
    ledger.down = true;
    for (let i = 1; i <= 1200; i++) q.add([draft(i)]);
    await settle();
    ledger.down = false;
    ledger.calls.length = 0;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ledger.recorded).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    expect(ledger.calls.map((c) => c.length)).toEqual([500, 500, 200]);
  });

  it("drops the oldest beyond the limit, counts them and logs it once per outage", async () => {
    const ledger = fakeLedger();
    const { log, lines } = captureLog();
    const q = new PendingDrafts({ record: ledger.record, log, maxPending: 3, random: () => 0 });
    ledger.down = true;
    for (let i = 1; i <= 6; i++) {
      q.add([draft(i)]);
      await settle();
    }
    expect(q.stats).toMatchObject({ pending: 3, droppedFull: 3 });
    ledger.down = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ledger.recorded).toEqual([4, 5, 6]);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.filter((l) => String(l.msg).includes("the oldest are dropped"))).toHaveLength(1);
    expect(logged.at(-1)).toMatchObject({ recordedLate: 3, dropped: 3 });
    expect(lines.join("\n")).not.toContain(TRAINEE);
  });

  it("sets a draft the ledger can never take aside, records the others in order, and counts it", async () => {
    const ledger = fakeLedger();
    const { log, lines } = captureLog();
    const q = new PendingDrafts({ record: ledger.record, log });
    q.add([draft(1), draft(2, { payload: { n: 2, bad: true } }), draft(3)]);
    q.add([draft(4)]);
    await settle();
    expect(ledger.recorded).toEqual([1, 3, 4]);
    expect(q.stats).toMatchObject({ pending: 0, rejected: 1, outageSince: undefined });
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 50,
      type: "cycle.completed",
      machine: "lathe-1",
      msg: "evidence draft rejected by the ledger; set aside, the others are recorded",
    });
    expect(lines.join("\n")).not.toContain(TRAINEE);
  });

  it("holds, not rejects, on a failure it cannot blame on the draft", async () => {
    const { log } = captureLog();
    let fail = true;
    const recorded: number[] = [];
    const q = new PendingDrafts({
      record: async (drafts) => {
        if (fail)
          throw Object.assign(new Error("permission denied for table evidence_records"), { code: "42501" });
        recorded.push(...drafts.map((d) => d.payload.n as number));
      },
      log,
      random: () => 0,
    });
    q.add([draft(1), draft(2)]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(q.stats).toMatchObject({ pending: 2, rejected: 0 });
    fail = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(recorded).toEqual([1, 2]);
  });

  it("on close makes one last attempt, then says how many drafts are lost", async () => {
    const ledger = fakeLedger();
    const { log, lines } = captureLog();
    const q = new PendingDrafts({ record: ledger.record, log, random: () => 1 });
    ledger.down = true;
    q.add([draft(1), draft(2, { type: "alarm.handled", machine: "mill-1" })]);
    await settle();
    const calls = ledger.calls.length;
    const closed = q.close(5000);
    await settle();
    expect(await closed).toBe(2);
    expect(ledger.calls.length).toBe(calls + 1);
    const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({
      level: 50,
      drafts: 2,
      types: { "cycle.completed": 1, "alarm.handled": 1 },
      machines: { "lathe-1": 1, "mill-1": 1 },
      msg: "evidence drafts could not be recorded before stop; they are lost",
    });
    // No retry after stop.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ledger.calls.length).toBe(calls + 1);
    expect(lines.join("\n")).not.toContain(TRAINEE);
  });

  it("on close records what is held when the ledger is back, without waiting for the backoff", async () => {
    const ledger = fakeLedger();
    const { log } = captureLog();
    const q = new PendingDrafts({
      record: ledger.record,
      log,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    ledger.down = true;
    q.add([draft(1)]);
    await settle();
    ledger.down = false;
    q.add([draft(2)]);
    const closed = q.close(5000);
    await settle();
    expect(await closed).toBe(0);
    expect(ledger.recorded).toEqual([1, 2]);
  });

  it("on close waits at most the given time for a ledger that does not answer", async () => {
    const { log } = captureLog();
    const q = new PendingDrafts({ record: () => new Promise(() => {}), log });
    q.add([draft(1)]);
    const closed = q.close(5000);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await closed).toBe(1);
  });
});

describe("ledger failures: retry or set aside", () => {
  const pgError = (code: string, message = "x") => Object.assign(new Error(message), { code });

  it.each([
    ["ECONNREFUSED", refused()],
    ["ECONNRESET", pgError("ECONNRESET", "read ECONNRESET")],
    ["57P01 admin_shutdown", pgError("57P01", "terminating connection due to administrator command")],
    ["57P03 cannot_connect_now", pgError("57P03", "the database system is starting up")],
    ["08006 connection_failure", pgError("08006")],
    ["pg: Connection terminated unexpectedly", new Error("Connection terminated unexpectedly")],
    ["pg-pool connect timeout", new Error("timeout exceeded when trying to connect")],
    ["PostgresUnavailableError", new PostgresUnavailableError("evidence ledger: unreachable")],
    ["wrapped in a cause", new Error("append failed", { cause: refused() })],
    ["SQLITE_BUSY", Object.assign(new Error("database is locked"), { code: "ERR_SQLITE_ERROR", errcode: 5 })],
    ["SQLITE_FULL", Object.assign(new Error("disk full"), { code: "ERR_SQLITE_ERROR", errcode: 13 })],
  ])("%s: the ledger is unavailable, retried", (_name, err) => {
    expect(storeUnavailable(err)).toBe(true);
    expect(draftRejected(err)).toBe(false);
  });

  it.each([
    ["canonicalJson TypeError", new TypeError("canonicalJson: NaN is not a finite number")],
    ["seal: ts not integer", new TypeError("evidence ts must be integer ms, got 1.5")],
    ["22P05 untranslatable character", pgError("22P05")],
    ["23505 unique violation", pgError("23505")],
  ])("%s: the draft is at fault, set aside", (_name, err) => {
    expect(storeUnavailable(err)).toBe(false);
    expect(draftRejected(err)).toBe(true);
  });

  it("an unknown failure is neither: it is retried (never lose what might still be recorded)", () => {
    const err = pgError("42501", "permission denied");
    expect(storeUnavailable(err)).toBe(false);
    expect(draftRejected(err)).toBe(false);
  });
});
