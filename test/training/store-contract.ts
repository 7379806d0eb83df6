// One contract for every TrainingStore implementation (SQLite, PostgreSQL).
// Each test gets a fresh, empty database from `fresh()`; `open()` may be
// called again on the same database to check what survives a reopen.
import { afterEach, describe, expect, it } from "vitest";
import {
  type Enrolment,
  ERASED_DISPLAY_NAME,
  erasedUsername,
  type NewSession,
  StoreConflictError,
  StoreMissingError,
  type TrainingStore,
  type UserRecord,
} from "../../src/training/store/types.ts";

export type FreshDatabase = { open(): Promise<TrainingStore>; drop(): Promise<void> };

const T0 = Date.UTC(2027, 0, 4, 7, 0);

function user(n: number, over: Partial<UserRecord> = {}): UserRecord {
  return {
    id: `u-${String(n).padStart(16, "a")}`,
    username: `user${n}`,
    displayName: `Person ${n}`,
    email: n % 2 === 0 ? `p${n}@example.org` : null,
    role: "trainee",
    badge: null,
    disabled: false,
    passwordHash: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

function session(id: string, machine: string, userId: string, startedAt: number): NewSession {
  return { id, machine, userId, startedAt, source: "api", startedBy: userId };
}

export function storeContract(name: string, fresh: () => Promise<FreshDatabase>): void {
  describe(`TrainingStore contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    async function setup(): Promise<{ db: FreshDatabase; store: TrainingStore }> {
      const db = await fresh();
      cleanups.push(() => db.drop());
      const store = await db.open();
      cleanups.unshift(() => store.close());
      return { db, store };
    }

    async function withUsers(store: TrainingStore, n: number): Promise<UserRecord[]> {
      const users = Array.from({ length: n }, (_, i) => user(i + 1));
      await store.insertUsers(users);
      return users;
    }

    describe("users", () => {
      it("stores a user and finds it by id, username (any case) and badge", async () => {
        const { store } = await setup();
        const u = user(1, { badge: "04A1B2C3", passwordHash: "scrypt$15$8$1$x$y", role: "instructor" });
        await store.insertUsers([u]);
        expect(await store.getUser(u.id)).toEqual(u);
        expect(await store.findUserByUsername("USER1")).toEqual(u);
        expect(await store.findUserByBadge("04A1B2C3")).toEqual(u);
        expect(await store.getUser("u-nobody")).toBeUndefined();
        expect(await store.findUserByUsername("nobody")).toBeUndefined();
        expect(await store.findUserByBadge("nobody")).toBeUndefined();
      });

      it("lists by username, filters by role, hides disabled users unless asked", async () => {
        const { store } = await setup();
        await store.insertUsers([
          user(3, { username: "cecilie" }),
          user(1, { username: "anders", role: "instructor" }),
          user(2, { username: "berit", disabled: true }),
        ]);
        expect((await store.listUsers()).map((u) => u.username)).toEqual(["anders", "cecilie"]);
        expect((await store.listUsers({ includeDisabled: true })).map((u) => u.username)).toEqual([
          "anders",
          "berit",
          "cecilie",
        ]);
        expect((await store.listUsers({ role: "instructor" })).map((u) => u.username)).toEqual(["anders"]);
      });

      it("refuses a taken username or badge, naming the field, and inserts nothing of the batch", async () => {
        const { store } = await setup();
        await store.insertUsers([user(1, { badge: "B1" })]);
        const dupName = store.insertUsers([user(2), user(3, { username: "user1" })]);
        await expect(dupName).rejects.toBeInstanceOf(StoreConflictError);
        await expect(dupName).rejects.toMatchObject({ field: "username", value: "user1" });
        await expect(store.insertUsers([user(4), user(5, { badge: "B1" })])).rejects.toMatchObject({
          field: "badge",
          value: "B1",
        });
        expect((await store.listUsers()).map((u) => u.username)).toEqual(["user1"]);
      });

      it("inserts users and their enrolments together, or neither", async () => {
        const { store } = await setup();
        await store.insertCourse({
          id: "c-1",
          name: "CNC",
          startDate: "2027-01-04",
          endDate: "2027-01-29",
          createdAt: T0,
        });
        const bad: Enrolment = { courseId: "c-missing", userId: user(2).id, role: "trainee", enrolledAt: T0 };
        await expect(
          store.insertUsers(
            [user(1), user(2)],
            [{ courseId: "c-1", userId: user(1).id, role: "trainee", enrolledAt: T0 }, bad],
          ),
        ).rejects.toBeInstanceOf(StoreMissingError);
        expect(await store.listUsers()).toEqual([]);
        expect(await store.listEnrolments({})).toEqual([]);
        await store.insertUsers(
          [user(1)],
          [{ courseId: "c-1", userId: user(1).id, role: "trainee", enrolledAt: T0 }],
        );
        expect(await store.listEnrolments({ courseId: "c-1" })).toHaveLength(1);
      });

      it("updates only the given fields and the update time", async () => {
        const { store } = await setup();
        const [u1, u2] = await withUsers(store, 2);
        const updated = await store.updateUser(
          u1!.id,
          { disabled: true, passwordHash: "h2", email: null },
          T0 + 5,
        );
        expect(updated).toEqual({
          ...u1,
          disabled: true,
          passwordHash: "h2",
          email: null,
          updatedAt: T0 + 5,
        });
        await store.updateUser(u2!.id, { badge: "B2" }, T0 + 6);
        await expect(store.updateUser(u1!.id, { badge: "B2" }, T0 + 7)).rejects.toMatchObject({
          field: "badge",
        });
        expect(await store.updateUser("u-nobody", { disabled: true }, T0)).toBeUndefined();
      });

      it("keeps everything across a reopen", async () => {
        const { db, store } = await setup();
        const users = await withUsers(store, 3);
        await store.close();
        const again = await db.open();
        cleanups.unshift(() => again.close());
        expect(await again.listUsers()).toEqual(users);
      });
    });

    describe("courses", () => {
      it("lists courses by start date and enrols with a course role, changing it on re-enrol", async () => {
        const { store } = await setup();
        const [u1, u2] = await withUsers(store, 2);
        await store.insertCourse({
          id: "c-b",
          name: "Vår",
          startDate: "2027-03-01",
          endDate: "2027-03-26",
          createdAt: T0,
        });
        await store.insertCourse({
          id: "c-a",
          name: "Vinter",
          startDate: "2027-01-04",
          endDate: "2027-01-29",
          createdAt: T0,
        });
        expect((await store.listCourses()).map((c) => c.id)).toEqual(["c-a", "c-b"]);
        expect(await store.getCourse("c-b")).toEqual({
          id: "c-b",
          name: "Vår",
          startDate: "2027-03-01",
          endDate: "2027-03-26",
          createdAt: T0,
        });
        await store.enrol([
          { courseId: "c-a", userId: u1!.id, role: "trainee", enrolledAt: T0 },
          { courseId: "c-a", userId: u2!.id, role: "instructor", enrolledAt: T0 },
          { courseId: "c-b", userId: u1!.id, role: "trainee", enrolledAt: T0 },
        ]);
        await store.enrol([{ courseId: "c-a", userId: u1!.id, role: "instructor", enrolledAt: T0 + 1 }]);
        expect(await store.listEnrolments({ courseId: "c-a" })).toEqual([
          { courseId: "c-a", userId: u1!.id, role: "instructor", enrolledAt: T0 },
          { courseId: "c-a", userId: u2!.id, role: "instructor", enrolledAt: T0 },
        ]);
        expect((await store.listEnrolments({ userId: u1!.id })).map((e) => e.courseId)).toEqual([
          "c-a",
          "c-b",
        ]);
        expect(await store.unenrol("c-a", u2!.id)).toBe(true);
        expect(await store.unenrol("c-a", u2!.id)).toBe(false);
        expect(await store.listEnrolments({ courseId: "c-a" })).toHaveLength(1);
      });

      it("refuses enrolling an unknown user, enrolling nobody of the batch", async () => {
        const { store } = await setup();
        const [u1] = await withUsers(store, 1);
        await store.insertCourse({
          id: "c-a",
          name: "x",
          startDate: "2027-01-04",
          endDate: "2027-01-29",
          createdAt: T0,
        });
        await expect(
          store.enrol([
            { courseId: "c-a", userId: u1!.id, role: "trainee", enrolledAt: T0 },
            { courseId: "c-a", userId: "u-nobody", role: "trainee", enrolledAt: T0 },
          ]),
        ).rejects.toBeInstanceOf(StoreMissingError);
        expect(await store.listEnrolments({})).toEqual([]);
        await expect(
          store.insertCourse({
            id: "c-a",
            name: "again",
            startDate: "2027-01-04",
            endDate: "2027-01-29",
            createdAt: T0,
          }),
        ).rejects.toBeInstanceOf(StoreConflictError);
      });
    });

    describe("sessions", () => {
      it("opens a session, answers a repeat by the same trainee with the same session, closes it once", async () => {
        const { store } = await setup();
        const [u1] = await withUsers(store, 1);
        const r = await store.startSession(session("s-1", "lathe-1", u1!.id, T0), "refuse");
        const opened = {
          ...session("s-1", "lathe-1", u1!.id, T0),
          endedAt: null,
          endReason: null,
          endedBy: null,
        };
        expect(r).toEqual({ ok: true, session: opened, ended: [], already: false });
        const again = await store.startSession(session("s-2", "lathe-1", u1!.id, T0 + 10), "refuse");
        expect(again).toEqual({ ok: true, session: opened, ended: [], already: true });
        expect(await store.openSessions()).toEqual([opened]);
        const closed = await store.endSession("s-1", T0 + 60_000, "checkout", u1!.id);
        expect(closed).toEqual({ ...opened, endedAt: T0 + 60_000, endReason: "checkout", endedBy: u1!.id });
        expect(await store.endSession("s-1", T0 + 70_000, "idle", null)).toBeUndefined();
        expect(await store.endSession("s-unknown", T0, "idle", null)).toBeUndefined();
        expect(await store.getSession("s-1")).toEqual(closed);
        expect(await store.openSessions()).toEqual([]);
      });

      it("refuses a second trainee on an occupied machine, naming the holder", async () => {
        const { store } = await setup();
        const [u1, u2] = await withUsers(store, 2);
        await store.startSession(session("s-1", "lathe-1", u1!.id, T0), "refuse");
        const r = await store.startSession(session("s-2", "lathe-1", u2!.id, T0 + 5), "refuse");
        expect(r).toMatchObject({
          ok: false,
          reason: "occupied",
          holder: { id: "s-1", userId: u1!.id, startedAt: T0 },
        });
        expect((await store.openSessions()).map((s) => s.id)).toEqual(["s-1"]);
      });

      it("on takeover ends the holder's session; a trainee moving machines leaves the old one", async () => {
        const { store } = await setup();
        const [u1, u2] = await withUsers(store, 2);
        await store.startSession(session("s-1", "lathe-1", u1!.id, T0), "refuse");
        await store.startSession(session("s-2", "mill-1", u2!.id, T0), "refuse");
        const r = await store.startSession(session("s-3", "lathe-1", u2!.id, T0 + 100), "takeover");
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.ended).toEqual([
          expect.objectContaining({ id: "s-1", endedAt: T0 + 100, endReason: "takeover", endedBy: u2!.id }),
          expect.objectContaining({ id: "s-2", endedAt: T0 + 100, endReason: "moved", endedBy: u2!.id }),
        ]);
        expect((await store.openSessions()).map((s) => [s.id, s.machine, s.userId])).toEqual([
          ["s-3", "lathe-1", u2!.id],
        ]);
      });

      it("never ends a session before it began", async () => {
        const { store } = await setup();
        const [u1] = await withUsers(store, 1);
        await store.startSession(session("s-1", "lathe-1", u1!.id, T0), "refuse");
        expect((await store.endSession("s-1", T0 - 5000, "checkout", null))?.endedAt).toBe(T0);
      });

      it("lets exactly one of many simultaneous check-ins on one machine win", async () => {
        const { store } = await setup();
        const users = await withUsers(store, 6);
        const results = await Promise.all(
          users.map((u, i) => store.startSession(session(`s-${i}`, "lathe-1", u.id, T0 + i), "refuse")),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(await store.openSessions()).toHaveLength(1);
      });

      it("lists sessions newest first, by trainee, machine and overlapping time", async () => {
        const { store } = await setup();
        const [u1, u2] = await withUsers(store, 2);
        const H = 3_600_000;
        await store.startSession(session("s-1", "lathe-1", u1!.id, T0), "refuse");
        await store.endSession("s-1", T0 + H, "checkout", null);
        await store.startSession(session("s-2", "mill-1", u1!.id, T0 + 2 * H), "refuse");
        await store.startSession(session("s-3", "lathe-1", u2!.id, T0 + 3 * H), "refuse");
        const ids = async (f: Parameters<TrainingStore["listSessions"]>[0]) =>
          (await store.listSessions(f)).map((s) => s.id);
        expect(await ids({})).toEqual(["s-3", "s-2", "s-1"]);
        expect(await ids({ userId: u1!.id })).toEqual(["s-2", "s-1"]);
        expect(await ids({ machine: "lathe-1" })).toEqual(["s-3", "s-1"]);
        expect(await ids({ from: T0 + H + 1, to: T0 + 3 * H })).toEqual(["s-2"]);
        expect(await ids({ from: T0 + 30 * 60_000, to: T0 + 2 * H + 1 })).toEqual(["s-2", "s-1"]);
        expect(await ids({ limit: 1 })).toEqual(["s-3"]);
      });

      it("tells listeners when sessions change", async () => {
        const { store } = await setup();
        const [u1] = await withUsers(store, 1);
        let calls = 0;
        const off = store.onSessionsChanged(() => {
          calls++;
        });
        await store.startSession(session("s-1", "lathe-1", u1!.id, T0), "refuse");
        await waitUntil(() => calls >= 1);
        await store.endSession("s-1", T0 + 1, "checkout", null);
        await waitUntil(() => calls >= 2);
        off();
        const before = calls;
        await store.startSession(session("s-2", "lathe-1", u1!.id, T0 + 2), "refuse");
        await new Promise((r) => setTimeout(r, 100));
        expect(calls).toBe(before);
      });
    });

    describe("erasure and retention", () => {
      it("erases a user: personal fields gone, row disabled and kept with its enrolment, every session deleted", async () => {
        const { db, store } = await setup();
        const [u1, u2] = await withUsers(store, 2);
        await store.updateUser(u2!.id, { badge: "04AB", passwordHash: "scrypt$x" }, T0);
        await store.insertCourse({
          id: "c-1",
          name: "CNC",
          startDate: "2027-01-04",
          endDate: "2027-01-29",
          createdAt: T0,
        });
        await store.enrol([{ courseId: "c-1", userId: u2!.id, role: "trainee", enrolledAt: T0 }]);
        await store.startSession(session("s-1", "lathe-1", u2!.id, T0), "refuse");
        await store.endSession("s-1", T0 + 60_000, "checkout", null);
        await store.startSession(session("s-2", "mill-1", u2!.id, T0 + 120_000), "refuse");
        await store.startSession(session("s-3", "lathe-1", u1!.id, T0 + 120_000), "refuse");
        let changes = 0;
        store.onSessionsChanged(() => changes++);

        const r = await store.eraseUser(u2!.id, T0 + 1000);
        expect(r?.sessionsDeleted).toBe(2);
        const erased = {
          ...u2!,
          username: erasedUsername(u2!.id),
          displayName: ERASED_DISPLAY_NAME,
          email: null,
          badge: null,
          passwordHash: null,
          disabled: true,
          updatedAt: T0 + 1000,
        };
        expect(r?.user).toEqual(erased);
        expect(await store.getUser(u2!.id)).toEqual(erased);
        expect(await store.findUserByUsername(u2!.username)).toBeUndefined();
        expect(await store.findUserByBadge("04AB")).toBeUndefined();
        expect(await store.listSessions({ userId: u2!.id })).toEqual([]);
        expect((await store.openSessions()).map((s) => s.id)).toEqual(["s-3"]);
        expect(await store.listEnrolments({ userId: u2!.id })).toHaveLength(1);
        await waitUntil(() => changes >= 1); // the machine the erased trainee held is free
        expect(await store.eraseUser("u-unknownxxxxxxxxx", T0)).toBeUndefined();
        // Erasing twice is harmless; the username it left can be taken by nobody else.
        expect((await store.eraseUser(u2!.id, T0 + 2000))?.sessionsDeleted).toBe(0);
        await store.close();
        const again = await db.open();
        cleanups.unshift(() => again.close());
        expect((await again.getUser(u2!.id))?.displayName).toBe(ERASED_DISPLAY_NAME);
      });

      it("deletes closed sessions that ended before a time, never open ones", async () => {
        const { store } = await setup();
        const [u1, u2, u3] = await withUsers(store, 3);
        await store.startSession(session("s-old", "lathe-1", u1!.id, T0), "refuse");
        await store.endSession("s-old", T0 + 1000, "checkout", null);
        await store.startSession(session("s-new", "lathe-2", u2!.id, T0), "refuse");
        await store.endSession("s-new", T0 + 5000, "checkout", null);
        await store.startSession(session("s-open", "lathe-3", u3!.id, T0 - 10_000), "refuse");
        expect(await store.deleteSessionsEndedBefore(T0 + 5000)).toBe(1);
        expect((await store.listSessions()).map((s) => s.id).sort()).toEqual(["s-new", "s-open"]);
        expect(await store.deleteSessionsEndedBefore(T0 + 10_000_000)).toBe(1);
        expect((await store.listSessions()).map((s) => s.id)).toEqual(["s-open"]);
      });
    });
  });
}

async function waitUntil(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a session change notification");
    await new Promise((r) => setTimeout(r, 10));
  }
}
