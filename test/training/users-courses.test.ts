import { afterEach, describe, expect, it } from "vitest";
import { CourseService } from "../../src/training/people/courses.ts";
import { LoginThrottle } from "../../src/training/people/login-throttle.ts";
import { hashPassword } from "../../src/training/people/passwords.ts";
import { UserInputError, UserService } from "../../src/training/people/users.ts";
import { StoreConflictError } from "../../src/training/store/types.ts";
import { memoryStore, T0 } from "./helpers.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup() {
  const store = memoryStore();
  cleanups.push(() => store.close());
  let now = T0;
  const clock = () => now;
  const users = new UserService(store, { clock, throttle: new LoginThrottle({ baseDelayMs: 1000 }) });
  const courses = new CourseService(store, { clock });
  return { store, users, courses, advance: (ms: number) => (now += ms) };
}

describe("UserService", () => {
  it("adds a user with a generated password shown once, never stored in clear", async () => {
    const { store, users } = setup();
    const r = await users.add({
      username: " Kari.N ",
      displayName: "Kari Nordmann",
      email: "kari@example.no",
    });
    expect(r.user).toMatchObject({
      username: "kari.n",
      displayName: "Kari Nordmann",
      role: "trainee",
      disabled: false,
    });
    expect(r.user.id).toMatch(/^u-[a-z2-7]{16}$/);
    expect(r.user).not.toHaveProperty("passwordHash");
    expect(r.generatedPassword).toMatch(/^\S{16}$/);
    const stored = await store.getUser(r.user.id);
    expect(stored?.passwordHash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(stored?.passwordHash).not.toContain(r.generatedPassword);
    expect(await users.login("KARI.N", r.generatedPassword!)).toMatchObject({
      ok: true,
      user: { id: r.user.id },
    });
  });

  it("names the bad field of a new user, and refuses a taken username", async () => {
    const { users } = setup();
    const bad = async (input: Parameters<UserService["add"]>[0], field: string, message: RegExp) => {
      const err = await users.add(input, "a good password").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserInputError);
      expect((err as UserInputError).field).toBe(field);
      expect((err as Error).message).toMatch(message);
    };
    await bad({ username: "k", displayName: "K" }, "username", /2–32 characters/);
    await bad({ username: "kari", displayName: "  " }, "displayName", /expected a name/);
    await bad({ username: "kari", displayName: "K", email: "not-mail" }, "email", /e-mail address/);
    await bad(
      { username: "kari", displayName: "K", role: "boss" as "admin" },
      "role",
      /trainee, instructor, admin/,
    );
    await bad({ username: "kari", displayName: "K", badge: "a b" }, "badge", /badge id/);
    await expect(users.add({ username: "kari", displayName: "K" }, "short")).rejects.toMatchObject({
      field: "password",
    });
    await users.add({ username: "kari", displayName: "K" }, "a good password");
    await expect(
      users.add({ username: "KARI", displayName: "K2" }, "a good password"),
    ).rejects.toBeInstanceOf(StoreConflictError);
  });

  it("disables and enables a login; a disabled user with the right password is told so", async () => {
    const { users } = setup();
    const { user } = await users.add({ username: "ola", displayName: "Ola" }, "ola password 1");
    await users.setDisabled(user.id, true);
    expect(await users.login("ola", "ola password 1")).toEqual({ ok: false, reason: "disabled" });
    expect(await users.login("ola", "wrong password")).toEqual({ ok: false, reason: "invalid" });
    expect(await users.list()).toEqual([]);
    expect((await users.list({ includeDisabled: true })).map((u) => u.disabled)).toEqual([true]);
    await users.setDisabled(user.id, false);
    expect((await users.login("ola", "ola password 1")).ok).toBe(true);
  });

  it("resets a password: the old one stops working", async () => {
    const { users } = setup();
    const { user } = await users.add(
      { username: "per", displayName: "Per", role: "instructor" },
      "old password 1",
    );
    const r = await users.resetPassword(user.id);
    expect(await users.login("per", "old password 1")).toEqual({ ok: false, reason: "invalid" });
    expect((await users.login("per", r.generatedPassword!)).ok).toBe(true);
    await users.resetPassword(user.id, "chosen password 2");
    expect((await users.login("per", "chosen password 2")).ok).toBe(true);
    await expect(users.resetPassword("u-nobody")).rejects.toThrow(/no user with id u-nobody/);
  });

  it("throttles guessing per username, for unknown usernames too, and re-hashes weak hashes on login", async () => {
    const { store, users, advance } = setup();
    const { user } = await users.add({ username: "siri", displayName: "Siri" }, "siri password 1");
    for (let i = 0; i < 4; i++)
      expect(await users.login("siri", `guess ${i}`, "10.0.0.5")).toEqual({ ok: false, reason: "invalid" });
    expect(await users.login("siri", "siri password 1", "10.0.0.6")).toEqual({
      ok: false,
      reason: "throttled",
      retryAfterMs: 1000,
    });
    advance(1000);
    expect((await users.login("siri", "siri password 1")).ok).toBe(true);
    for (let i = 0; i < 4; i++) await users.login("ghost", `guess ${i}`);
    expect((await users.login("ghost", "x")).ok).toBe(false);
    expect(await users.login("ghost", "x")).toMatchObject({ reason: "throttled" });

    await store.updateUser(
      user.id,
      { passwordHash: await hashPassword("siri password 1", { logN: 14, r: 8, p: 1 }) },
      T0,
    );
    expect((await users.login("siri", "siri password 1")).ok).toBe(true);
    expect((await store.getUser(user.id))?.passwordHash).toMatch(/^scrypt\$15\$/);
  });
});

describe("CourseService", () => {
  it("adds courses with valid dates and names the bad field otherwise", async () => {
    const { courses } = setup();
    const c = await courses.add({
      name: "CNC intensiv vår 2027",
      startDate: "2027-03-01",
      endDate: "2027-03-26",
    });
    expect(c).toMatchObject({
      name: "CNC intensiv vår 2027",
      startDate: "2027-03-01",
      endDate: "2027-03-26",
    });
    expect(c.id).toMatch(/^c-[a-z2-7]{16}$/);
    await expect(
      courses.add({ name: "x", startDate: "2027-02-30", endDate: "2027-03-01" }),
    ).rejects.toMatchObject({
      field: "startDate",
    });
    await expect(courses.add({ name: "x", startDate: "2027-03-02", endDate: "2027-03-01" })).rejects.toThrow(
      /endDate: the end date is before the start date/,
    );
    await expect(
      courses.add({ name: "", startDate: "2027-03-02", endDate: "2027-03-03" }),
    ).rejects.toMatchObject({
      field: "name",
    });
  });

  it("enrols trainees and instructors by their role; an instructor sees only their courses' trainees", async () => {
    const { users, courses } = setup();
    const pw = "a good password";
    const kari = (await users.add({ username: "kari", displayName: "Kari" }, pw)).user;
    const ola = (await users.add({ username: "ola", displayName: "Ola" }, pw)).user;
    const per = (await users.add({ username: "per", displayName: "Per", role: "instructor" }, pw)).user;
    const a = await courses.add({ name: "A", startDate: "2027-01-04", endDate: "2027-01-29" });
    const b = await courses.add({ name: "B", startDate: "2027-03-01", endDate: "2027-03-26" });
    await courses.enrol(a.id, [kari.id, per.id]);
    await courses.enrol(b.id, [ola.id]);
    const roster = await courses.roster(a.id);
    expect(roster?.trainees.map((u) => u.username)).toEqual(["kari"]);
    expect(roster?.instructors.map((u) => u.username)).toEqual(["per"]);
    expect(await courses.isInstructorOf(per.id, kari.id)).toBe(true);
    expect(await courses.isInstructorOf(per.id, ola.id)).toBe(false);
    expect(await courses.isInstructorOf(kari.id, kari.id)).toBe(false);
    expect((await courses.coursesOf(kari.id)).map((c) => [c.course.name, c.role])).toEqual([
      ["A", "trainee"],
    ]);
    await expect(courses.enrol(a.id, [ola.id], "instructor")).rejects.toThrow(
      /is a trainee and cannot be a course instructor/,
    );
    await expect(courses.enrol("c-nope", [ola.id])).rejects.toThrow(/no course with id c-nope/);
    await expect(courses.enrol(a.id, [ola.id, "u-nobody"])).rejects.toThrow(/no user with id u-nobody/);
    expect((await courses.roster(a.id))?.trainees).toHaveLength(1);
  });
});
