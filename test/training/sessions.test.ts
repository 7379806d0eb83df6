import { afterEach, describe, expect, it } from "vitest";
import { pseudonymOf } from "../../src/training/people/pseudonym.ts";
import {
  type SessionChange,
  SessionService,
  type SessionServiceOptions,
} from "../../src/training/sessions/sessions.ts";
import type { TrainingStore } from "../../src/training/store/types.ts";
import { captureLog } from "../support/log-lines.ts";
import { addUser, memoryStore, SECRET, T0 } from "./helpers.ts";

const MIN = 60_000;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(over: Partial<SessionServiceOptions> = {}) {
  const store = memoryStore();
  let now = T0;
  const sessions = await SessionService.start({
    store,
    pseudonymSecret: SECRET,
    idleCheckoutMinutes: 30,
    endOfDay: "17:00",
    timeZone: "Europe/Oslo",
    onOccupied: "refuse",
    machines: ["lathe-1", "lathe-2", "mill-1"],
    clock: () => now,
    ...over,
  });
  const changes: SessionChange[] = [];
  sessions.on((c) => changes.push(c));
  cleanups.push(
    () => store.close(),
    () => sessions.close(),
  );
  const kari = await addUser(store, { username: "kari" });
  const ola = await addUser(store, { username: "ola" });
  const per = await addUser(store, { username: "per", role: "instructor" });
  const gone = await addUser(store, { username: "gone", disabled: true });
  return {
    store: store as TrainingStore,
    sessions,
    changes,
    kari,
    ola,
    per,
    gone,
    setNow: (t: number) => {
      now = t;
    },
  };
}

const summary = (changes: SessionChange[]) =>
  changes.map(
    (c) =>
      `${c.type} ${c.session.machine} ${c.pseudonym}${c.session.endReason ? ` ${c.session.endReason}` : ""}`,
  );

describe("SessionService check-in and check-out", () => {
  it("checks a trainee in, tags the machine with the pseudonym, and checks out by hand", async () => {
    const { sessions, changes, kari, setNow } = await setup();
    const p = pseudonymOf(SECRET, kari.id);
    const r = await sessions.checkIn({ machine: "lathe-1", userId: kari.id, by: kari.id, source: "api" });
    expect(r).toMatchObject({
      ok: true,
      already: false,
      session: { machine: "lathe-1", userId: kari.id, pseudonym: p, since: T0 },
    });
    expect(sessions.currentPseudonym("lathe-1")).toBe(p);
    expect(sessions.currentPseudonym("lathe-2")).toBeUndefined();
    expect(sessions.sessionOf(kari.id)?.machine).toBe("lathe-1");
    expect(
      (await sessions.checkIn({ machine: "lathe-1", userId: kari.id, by: kari.id, source: "api" })).ok,
    ).toBe(true);
    setNow(T0 + 10 * MIN);
    const out = await sessions.checkOut({ machine: "lathe-1", by: kari.id });
    expect(out).toMatchObject({
      ok: true,
      session: { endedAt: T0 + 10 * MIN, endReason: "checkout", endedBy: kari.id },
    });
    expect(sessions.currentPseudonym("lathe-1")).toBeUndefined();
    expect(await sessions.checkOut({ machine: "lathe-1", by: kari.id })).toEqual({
      ok: false,
      error: "not-checked-in",
    });
    expect(summary(changes)).toEqual([`session.start lathe-1 ${p}`, `session.end lathe-1 ${p} checkout`]);
  });

  it("refuses a second trainee on an occupied machine, saying who is there and since when", async () => {
    const { sessions, kari, ola, setNow } = await setup();
    await sessions.checkIn({ machine: "lathe-1", userId: kari.id, by: kari.id, source: "api" });
    setNow(T0 + MIN);
    const r = await sessions.checkIn({ machine: "lathe-1", userId: ola.id, by: ola.id, source: "api" });
    expect(r).toEqual({
      ok: false,
      error: "occupied",
      holder: expect.objectContaining({
        userId: kari.id,
        since: T0,
        pseudonym: pseudonymOf(SECRET, kari.id),
      }),
    });
    expect(sessions.current("lathe-1")?.userId).toBe(kari.id);
  });

  it("with takeover, the newcomer ends the holder's session (end announced before start)", async () => {
    const { sessions, changes, kari, ola, setNow } = await setup({ onOccupied: "takeover" });
    await sessions.checkIn({ machine: "lathe-1", userId: kari.id, by: kari.id, source: "api" });
    setNow(T0 + MIN);
    const r = await sessions.checkIn({ machine: "lathe-1", userId: ola.id, by: ola.id, source: "api" });
    expect(r.ok).toBe(true);
    expect(summary(changes)).toEqual([
      `session.start lathe-1 ${pseudonymOf(SECRET, kari.id)}`,
      `session.end lathe-1 ${pseudonymOf(SECRET, kari.id)} takeover`,
      `session.start lathe-1 ${pseudonymOf(SECRET, ola.id)}`,
    ]);
  });

  it("an instructor's assignment always takes over; a trainee moving machines leaves the first", async () => {
    const { sessions, kari, ola, per } = await setup();
    await sessions.checkIn({ machine: "lathe-1", userId: kari.id, by: kari.id, source: "api" });
    const r = await sessions.assign({ machine: "lathe-1", traineeId: ola.id, instructorId: per.id });
    expect(r).toMatchObject({ ok: true, session: { userId: ola.id, source: "assigned" } });
    const moved = await sessions.checkIn({ machine: "mill-1", userId: ola.id, by: ola.id, source: "api" });
    expect(moved.ok && moved.ended.map((s) => [s.machine, s.endReason])).toEqual([["lathe-1", "moved"]]);
    expect(sessions.openSessions().map((s) => [s.machine, s.userId])).toEqual([["mill-1", ola.id]]);
  });

  it("refuses unknown machines and users, disabled users and non-trainees", async () => {
    const { sessions, kari, per, gone } = await setup();
    const tryIn = (machine: string, userId: string) =>
      sessions.checkIn({ machine, userId, by: userId, source: "api" });
    expect(await tryIn("lathe-9", kari.id)).toEqual({ ok: false, error: "unknown-machine" });
    expect(await tryIn("lathe-1", "u-nobody")).toEqual({ ok: false, error: "unknown-user" });
    expect(await tryIn("lathe-1", gone.id)).toEqual({ ok: false, error: "user-disabled" });
    expect(await tryIn("lathe-1", per.id)).toEqual({ ok: false, error: "not-a-trainee" });
    expect(sessions.openSessions()).toEqual([]);
  });

  it("ends a disabled trainee's session", async () => {
    const { sessions, kari, per } = await setup();
    await sessions.checkIn({ machine: "lathe-1", userId: kari.id, by: kari.id, source: "api" });
    expect((await sessions.endForUser(kari.id, "disabled", per.id))?.endReason).toBe("disabled");
    expect(sessions.current("lathe-1")).toBeUndefined();
  });
});

describe("SessionService automatic check-out", () => {
  it("checks out after the idle time without machine activity, at last activity + idle time", async () => {
    const { sessions, kari } = await setup();
    await sessions.checkIn({ machine: "lathe-1", userId: kari.id, by: kari.id, source: "api" });
    sessions.noteActivity("lathe-1", T0 + 20 * MIN);
    sessions.noteActivity("lathe-1", T0 + 5 * MIN); // late, older: ignored
    expect(await sessions.tick(T0 + 45 * MIN)).toEqual([]);
    const ended = await sessions.tick(T0 + 51 * MIN);
    expect(ended).toEqual([
      expect.objectContaining({ endReason: "idle", endedAt: T0 + 50 * MIN, endedBy: null }),
    ]);
    expect(sessions.current("lathe-1")).toBeUndefined();
  });

  it("never idles out with idleCheckoutMinutes 0, but closes everything at the end of day (17:00 Oslo)", async () => {
    const { sessions, kari, ola } = await setup({ idleCheckoutMinutes: 0 });
    await sessions.checkIn({ machine: "lathe-1", userId: kari.id, by: kari.id, source: "api" });
    await sessions.checkIn({ machine: "mill-1", userId: ola.id, by: ola.id, source: "api" });
    expect(await sessions.tick(T0 + 8 * 60 * MIN)).toEqual([]);
    const ended = await sessions.tick(Date.UTC(2027, 0, 4, 16, 5));
    expect(ended.map((s) => [s.machine, s.endReason, s.endedAt])).toEqual([
      ["lathe-1", "end-of-day", Date.UTC(2027, 0, 4, 16, 0)],
      ["mill-1", "end-of-day", Date.UTC(2027, 0, 4, 16, 0)],
    ]);
  });

  it("leaves machines of other gateways to them for idle check-out", async () => {
    const { sessions, store, kari } = await setup({ machines: ["lathe-1"], endOfDay: "off" });
    // a check-in on mill-1 made through another gateway sharing the store
    await store.startSession(
      {
        id: "s-elsewhere",
        machine: "mill-1",
        userId: kari.id,
        startedAt: T0,
        source: "api",
        startedBy: kari.id,
      },
      "refuse",
    );
    await sessions.refresh();
    expect(sessions.current("mill-1")?.sessionId).toBe("s-elsewhere");
    expect(await sessions.tick(T0 + 600 * MIN)).toEqual([]);
  });

  it("announces check-ins and check-outs made directly in the store (another gateway)", async () => {
    const { sessions, store, changes, kari } = await setup();
    await store.startSession(
      {
        id: "s-x",
        machine: "lathe-2",
        userId: kari.id,
        startedAt: T0 + 1,
        source: "mqtt",
        startedBy: "reader:door",
      },
      "refuse",
    );
    await sessions.refresh();
    await store.endSession("s-x", T0 + 2, "checkout", null);
    await sessions.refresh();
    expect(summary(changes)).toEqual([
      `session.start lathe-2 ${pseudonymOf(SECRET, kari.id)}`,
      `session.end lathe-2 ${pseudonymOf(SECRET, kari.id)} checkout`,
    ]);
  });

  it("picks up sessions already open at start without announcing them", async () => {
    const store = memoryStore();
    cleanups.push(() => store.close());
    const kari = await addUser(store, { username: "kari2" });
    await store.startSession(
      { id: "s-old", machine: "lathe-1", userId: kari.id, startedAt: T0, source: "api", startedBy: kari.id },
      "refuse",
    );
    const sessions = await SessionService.start({
      store,
      pseudonymSecret: SECRET,
      idleCheckoutMinutes: 30,
      endOfDay: "17:00",
      timeZone: "Europe/Oslo",
      onOccupied: "refuse",
    });
    cleanups.push(() => sessions.close());
    expect(sessions.currentPseudonym("lathe-1")).toBe(pseudonymOf(SECRET, kari.id));
  });

  it("refuses an unknown time zone at start", async () => {
    await expect(
      SessionService.start({
        store: memoryStore(),
        pseudonymSecret: SECRET,
        idleCheckoutMinutes: 30,
        endOfDay: "17:00",
        timeZone: "Mars/Olympus",
        onOccupied: "refuse",
      }),
    ).rejects.toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});

describe("SessionService log", () => {
  it("writes a check-out line for every session that ends, also when a check-in ends it, and no user id", async () => {
    const { log, lines } = captureLog();
    const { sessions, kari, ola, per } = await setup({ logger: log, onOccupied: "takeover" });
    await sessions.checkIn({ machine: "lathe-1", userId: kari.id, by: kari.id, source: "api" });
    await sessions.checkIn({ machine: "lathe-2", userId: kari.id, by: kari.id, source: "api" }); // moved
    await sessions.assign({ machine: "lathe-2", traineeId: ola.id, instructorId: per.id }); // takeover
    await sessions.checkOut({ machine: "lathe-2", by: ola.id });
    await new Promise((r) => setImmediate(r));
    const events = lines
      .map((l) => JSON.parse(l) as { event?: string; machine?: string; reason?: string; pseudonym?: string })
      .filter((l) => l.event !== undefined)
      .map((l) => `${l.event} ${l.machine} ${l.pseudonym}${l.reason ? ` ${l.reason}` : ""}`);
    const k = pseudonymOf(SECRET, kari.id);
    const o = pseudonymOf(SECRET, ola.id);
    expect(events).toEqual([
      `session.start lathe-1 ${k}`,
      `session.end lathe-1 ${k} moved`,
      `session.start lathe-2 ${k}`,
      `session.end lathe-2 ${k} takeover`,
      `session.start lathe-2 ${o}`,
      `session.end lathe-2 ${o} checkout`,
    ]);
    for (const id of [kari.id, ola.id, per.id]) expect(lines.join("\n")).not.toContain(id);
  });
});
