// The retention scheduler on a fake clock, over the real stores: a run at
// start, then daily at 03:00 in the site's time zone (across a DST change),
// failures logged and counted, everything on /metrics, no names in the logs.
import { pino } from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { SqliteLedgerStore } from "../../src/evidence/ledger/sqlite-store.ts";
import { registerRetentionMetrics } from "../../src/evidence/privacy/retention-metrics.ts";
import { RetentionScheduler, type SchedulerClock } from "../../src/evidence/privacy/retention-scheduler.ts";
import { EvidenceService } from "../../src/evidence/service.ts";
import { trainingRetentionSource } from "../../src/training/retention-source.ts";
import { SqliteTrainingStore } from "../../src/training/store/sqlite.ts";
import { catalogue } from "./course-day.ts";

class FakeClock implements SchedulerClock {
  timers: { at: number; fn: () => void; id: number }[] = [];
  #id = 0;
  t: number;
  constructor(t: number) {
    this.t = t;
  }
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.#id;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  /** Move to the next timer and fire it; resolves when the run it started has finished. */
  async fireNext(): Promise<number> {
    this.timers.sort((a, b) => a.at - b.at);
    const next = this.timers.shift()!;
    this.t = next.at;
    next.fn();
    await new Promise((r) => setTimeout(r, 20));
    return next.at;
  }
}

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

async function world(now: number) {
  const training = new SqliteTrainingStore(":memory:");
  const ledger = new SqliteLedgerStore(":memory:");
  const evidence = new EvidenceService({ store: ledger, catalogue });
  const T = Date.UTC(2026, 0, 5);
  const user = (id: string, name: string) => ({
    id,
    username: name.toLowerCase().replace(/\W/g, ""),
    displayName: name,
    email: null,
    role: "trainee" as const,
    badge: null,
    disabled: false,
    passwordHash: null,
    createdAt: T,
    updatedAt: T,
  });
  await training.insertUsers([user("u-ada", "Ada Testperson"), user("u-bo", "Bo Testperson")]);
  await training.insertCourse({
    id: "c-old",
    name: "2026",
    startDate: "2026-01-05",
    endDate: "2026-01-30",
    createdAt: T,
  });
  await training.insertCourse({
    id: "c-new",
    name: "2027",
    startDate: "2027-01-04",
    endDate: "2027-01-29",
    createdAt: T,
  });
  await training.enrol([
    { courseId: "c-old", userId: "u-ada", role: "trainee", enrolledAt: T },
    { courseId: "c-new", userId: "u-bo", role: "trainee", enrolledAt: T },
  ]);
  await training.startSession(
    { id: "s-1", machine: "lathe-1", userId: "u-ada", startedAt: T, source: "api", startedBy: "u-ada" },
    "refuse",
  );
  await training.endSession("s-1", T + 3_600_000, "checkout", null);
  await training.startSession(
    {
      id: "s-2",
      machine: "lathe-1",
      userId: "u-bo",
      startedAt: now - 86_400_000,
      source: "api",
      startedBy: "u-bo",
    },
    "refuse",
  );
  await training.endSession("s-2", now - 80_000_000, "checkout", null);
  for (const t of ["u-ada", "u-bo"]) {
    await evidence.record([
      {
        type: "cycle.completed",
        traineeId: t,
        machine: "lathe-1",
        sessionId: "s",
        ts: T,
        payload: {
          program: "O1",
          durationMs: 1,
          parts: 1,
          machineKind: "lathe",
          programSentByTrainee: false,
        },
      },
    ]);
  }
  const lines: string[] = [];
  const log = pino({ level: "info" }, { write: (l: string) => void lines.push(l) });
  const source = trainingRetentionSource(training, "Europe/Oslo");
  return { training, ledger, evidence, lines, log, source };
}

describe("RetentionScheduler", () => {
  it("runs at start, then daily at 03:00 Europe/Oslo across the DST change; erases due trainees and old session links", async () => {
    // Saturday 27 March 2027, 12:00 UTC (13:00 CET); DST starts Sunday 28 March at 02:00.
    const clock = new FakeClock(Date.UTC(2027, 2, 27, 12));
    const w = await world(clock.t);
    const scheduler = new RetentionScheduler({
      policy: { evidenceMonthsAfterCourseEnd: 12, sessionLinkDays: 30 },
      courses: w.source.courses,
      actions: {
        eraseEvidence: (id, reason, ts) => w.evidence.erase(id, reason, ts),
        deleteSessionLinksBefore: w.source.deleteSessionLinksBefore,
      },
      timeZone: "Europe/Oslo",
      log: w.log,
      clock,
    });
    const registry = new Registry();
    registerRetentionMetrics(registry, () => scheduler);

    await scheduler.start();
    // Ada's course ended 30 Jan 2026 (+12 months < now): anonymous. Bo's ended in 2027: kept.
    expect(await w.evidence.subjectOf("u-ada")).toBeUndefined();
    expect(await w.evidence.subjectOf("u-bo")).toBeDefined();
    expect((await w.training.listSessions()).map((s) => s.id)).toEqual(["s-2"]);
    expect(scheduler.stats).toMatchObject({ runs: 1, failures: 0, erased: 1, sessionLinksDeleted: 1 });
    expect(iso(scheduler.stats.nextRunAt)).toBe("2027-03-28T01:00:00.000Z"); // 03:00 CEST, the first summer night

    expect(iso(await clock.fireNext())).toBe("2027-03-28T01:00:00.000Z");
    expect(scheduler.stats.runs).toBe(2);
    expect(scheduler.stats.erased).toBe(1); // an erased trainee is not erased again
    expect(iso(scheduler.stats.nextRunAt)).toBe("2027-03-29T01:00:00.000Z");
    expect(clock.timers).toHaveLength(1); // never two runs scheduled

    const metrics = await registry.metrics();
    expect(metrics).toMatch(/maskinport_retention_runs_total 2/);
    expect(metrics).toMatch(/maskinport_retention_subjects_erased_total 1/);
    expect(metrics).toMatch(/maskinport_retention_session_links_deleted_total 1/);
    expect(metrics).toMatch(/maskinport_retention_last_success_timestamp_seconds 1806195600/);
    const logs = w.lines.join("");
    expect(logs).toMatch(/retention: evidence made anonymous/);
    expect(logs).toMatch(/retention run finished/);
    expect(logs).not.toMatch(/Testperson|u-ada|adatestperson/);

    await scheduler.stop();
    expect(clock.timers).toHaveLength(0);
    await w.training.close();
    await w.ledger.close();
  });

  it("a failing run is logged and counted, and the next day runs again", async () => {
    const clock = new FakeClock(Date.UTC(2027, 5, 1, 10));
    const w = await world(clock.t);
    let fail = true;
    const scheduler = new RetentionScheduler({
      policy: { evidenceMonthsAfterCourseEnd: 12, sessionLinkDays: 30 },
      courses: async () => {
        if (fail) throw new Error("database is locked");
        return w.source.courses();
      },
      actions: {
        eraseEvidence: (id, reason, ts) => w.evidence.erase(id, reason, ts),
        deleteSessionLinksBefore: w.source.deleteSessionLinksBefore,
      },
      timeZone: "Europe/Oslo",
      at: "02:30",
      log: w.log,
      clock,
    });
    await scheduler.start();
    expect(scheduler.stats).toMatchObject({ runs: 1, failures: 1, erased: 0, lastSuccessAt: undefined });
    expect(w.lines.join("")).toMatch(
      /database is locked.*retention run failed; tried again at the next daily run/,
    );
    fail = false;
    expect(iso(await clock.fireNext())).toBe("2027-06-02T00:30:00.000Z");
    expect(scheduler.stats).toMatchObject({ runs: 2, failures: 1, erased: 1 });
    await scheduler.stop();
    expect(
      () =>
        new RetentionScheduler({
          ...{ policy: { evidenceMonthsAfterCourseEnd: 1, sessionLinkDays: 1 } },
          courses: async () => [],
          actions: { eraseEvidence: async () => undefined, deleteSessionLinksBefore: async () => 0 },
          timeZone: "Europe/Oslo",
          at: "25:00",
          log: w.log,
        }),
    ).toThrow(/HH:MM/);
    await w.training.close();
    await w.ledger.close();
  });
});
