import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, passwordOf, trainingHarness } from "./harness.ts";

// Users and courses through the real web app over a real SQLite training
// store: role checks on every route, field-level 400s, conflicts, and the
// effect of disabling someone.

let h: Harness;
beforeEach(async () => {
  h = await trainingHarness();
});
afterEach(async () => {
  await h.close();
});

describe("login over the training users", () => {
  it("logs in with a stored password; /api/me adds the user's own name", async () => {
    const elev1 = await h.login("elev1");
    const me = await h.call(elev1, "GET", "/api/me");
    expect(me.json()).toMatchObject({
      userId: h.people.elev1.id,
      role: "trainee",
      displayName: "Ola Nordmann",
    });
  });

  it("answers a wrong password, an unknown user and a disabled account alike (401 bad_credentials)", async () => {
    await h.users.setDisabled(h.people.elev2.id, true);
    const attempts = [
      { username: "elev1", password: "wrong-password-123" },
      { username: "nobody", password: "wrong-password-123" },
      { username: "elev2", password: passwordOf("elev2") },
    ];
    for (const payload of attempts) {
      const res = await h.app.inject({ method: "POST", url: "/api/login", payload });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: "bad_credentials", message: "wrong username or password" });
    }
  });

  it("throttles a username after repeated failures (429 with Retry-After), even with the right password", async () => {
    const attempt = (password: string) =>
      h.app.inject({ method: "POST", url: "/api/login", payload: { username: "elev1", password } });
    for (let i = 0; i < 4; i++) expect((await attempt("wrong-password-123")).statusCode).toBe(401);
    const blocked = await attempt(passwordOf("elev1"));
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error).toBe("throttled");
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThanOrEqual(1);
  });
});

describe("GET /api/users", () => {
  it("is refused to trainees (403) and anonymous callers (401)", async () => {
    expect((await h.call(undefined, "GET", "/api/users")).statusCode).toBe(401);
    const res = await h.call(await h.login("elev1"), "GET", "/api/users");
    expect(res.statusCode).toBe(403);
  });

  it("gives an instructor the trainees of their courses, without contact data", async () => {
    const res = await h.call(await h.login("kari"), "GET", "/api/users");
    expect(res.statusCode).toBe(200);
    const users = res.json().users;
    expect(users.map((u: { id: string }) => u.id).sort()).toEqual(
      [h.people.elev1.id, h.people.elev2.id].sort(),
    );
    expect(users[0]).not.toHaveProperty("email");
    expect(res.body).not.toContain("Jonas"); // elev3 is in per's course
  });

  it("gives an admin everyone, disabled included", async () => {
    await h.users.setDisabled(h.people.elev3.id, true);
    const res = await h.call(await h.login("admin"), "GET", "/api/users");
    expect(res.json().users).toHaveLength(6);
    expect(res.json().users.find((u: { id: string }) => u.id === h.people.elev3.id)).toMatchObject({
      disabled: true,
    });
  });
});

describe("POST /api/users", () => {
  it("is for admins only", async () => {
    const res = await h.call(await h.login("kari"), "POST", "/api/users", {
      username: "ny",
      displayName: "Ny Elev",
    });
    expect(res.statusCode).toBe(403);
  });

  it("creates a user and answers a generated password once, which then logs in", async () => {
    const admin = await h.login("admin");
    const res = await h.call(admin, "POST", "/api/users", { username: "Nora", displayName: "Nora Lie" });
    expect(res.statusCode, res.body).toBe(201);
    const { user, generatedPassword } = res.json();
    expect(user).toMatchObject({ username: "nora", displayName: "Nora Lie", role: "trainee" });
    expect(generatedPassword).toMatch(/^\S{16}$/);
    expect((await h.login("nora", generatedPassword)).userId).toBe(user.id);
  });

  it("answers 400 naming every bad field, and 409 for a taken username", async () => {
    const admin = await h.login("admin");
    const bad = await h.call(admin, "POST", "/api/users", { username: "x", role: "boss", password: "short" });
    expect(bad.statusCode).toBe(400);
    const fields = bad
      .json()
      .issues.map((i: { field: string }) => i.field)
      .sort();
    expect(fields).toEqual(["displayName", "role", "username"]);

    const shortPassword = await h.call(admin, "POST", "/api/users", {
      username: "nils",
      displayName: "Nils",
      password: "short",
    });
    expect(shortPassword.json()).toMatchObject({ error: "bad_body", issues: [{ field: "password" }] });
    expect(shortPassword.body).not.toContain('"short"'); // the value sent is never echoed

    const taken = await h.call(admin, "POST", "/api/users", { username: "elev1", displayName: "Someone" });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: "conflict", field: "username" });
  });
});

describe("PATCH /api/users/:id", () => {
  it("renames, and a disable ends the user's web sessions and machine session at once", async () => {
    const elev1 = await h.login("elev1");
    await h.call(elev1, "POST", "/api/machines/lathe-1/checkin", {});
    const admin = await h.login("admin");

    const renamed = await h.call(admin, "PATCH", `/api/users/${h.people.elev1.id}`, {
      displayName: "Ola N.",
    });
    expect(renamed.json().user.displayName).toBe("Ola N.");
    expect((await h.call(elev1, "GET", "/api/me")).json().displayName).toBe("Ola N.");

    const disabled = await h.call(admin, "PATCH", `/api/users/${h.people.elev1.id}`, { disabled: true });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json().user.disabled).toBe(true);
    expect((await h.call(elev1, "GET", "/api/me")).statusCode).toBe(401);
    expect(h.sessions.current("lathe-1")).toBeUndefined();
    const [ended] = await h.store.listSessions({ machine: "lathe-1" });
    expect(ended).toMatchObject({ endReason: "disabled", endedBy: h.people.admin.id });
  });

  it("refuses non-admins, unknown ids, empty and bad patches, and an admin locking themself out", async () => {
    const kari = await h.login("kari");
    expect(
      (await h.call(kari, "PATCH", `/api/users/${h.people.elev1.id}`, { disabled: true })).statusCode,
    ).toBe(403);
    const admin = await h.login("admin");
    expect((await h.call(admin, "PATCH", "/api/users/u-nobody", { disabled: true })).statusCode).toBe(404);
    const empty = await h.call(admin, "PATCH", `/api/users/${h.people.elev1.id}`, {});
    expect(empty.statusCode).toBe(400);
    const bad = await h.call(admin, "PATCH", `/api/users/${h.people.elev1.id}`, {
      role: "king",
      disabled: "yes",
    });
    expect(
      bad
        .json()
        .issues.map((i: { field: string }) => i.field)
        .sort(),
    ).toEqual(["disabled", "role"]);
    const self = await h.call(admin, "PATCH", `/api/users/${h.people.admin.id}`, { role: "trainee" });
    expect(self.statusCode).toBe(409);
    expect(self.json().error).toBe("self_lockout");
  });
});

describe("courses", () => {
  it("lists each user's own courses, and all to an admin", async () => {
    const mine = (await h.call(await h.login("elev3"), "GET", "/api/courses")).json().courses;
    expect(mine).toEqual([expect.objectContaining({ id: h.courseB, role: "trainee" })]);
    const all = (await h.call(await h.login("admin"), "GET", "/api/courses")).json().courses;
    expect(all.map((c: { id: string }) => c.id)).toEqual([h.courseA, h.courseB]);
  });

  it("creates a course (admin), with field-level 400s", async () => {
    const admin = await h.login("admin");
    const ok = await h.call(admin, "POST", "/api/courses", {
      name: "CNC høst",
      startDate: "2027-08-16",
      endDate: "2027-09-10",
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().course).toMatchObject({ name: "CNC høst" });
    const bad = await h.call(admin, "POST", "/api/courses", {
      name: "X",
      startDate: "2027-02-30",
      endDate: "2027-01-01",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues.map((i: { field: string }) => i.field)).toContain("startDate");
    const kari = await h.login("kari");
    expect((await h.call(kari, "POST", "/api/courses", { name: "Y" })).statusCode).toBe(403);
  });

  it("shows a roster with names to the course's instructors and admins only", async () => {
    const kari = await h.login("kari");
    const own = await h.call(kari, "GET", `/api/courses/${h.courseA}`);
    expect(own.statusCode).toBe(200);
    expect(
      own
        .json()
        .trainees.map((t: { name: string }) => t.name)
        .sort(),
    ).toEqual(["Aisha Hansen", "Ola Nordmann"]);
    expect(own.json().instructors).toEqual([{ id: h.people.kari.id, name: "Kari Instruktør" }]);
    expect((await h.call(kari, "GET", `/api/courses/${h.courseB}`)).statusCode).toBe(403);
    expect((await h.call(await h.login("elev1"), "GET", `/api/courses/${h.courseA}`)).statusCode).toBe(403);
    expect((await h.call(kari, "GET", "/api/courses/c-nothing")).statusCode).toBe(404);
  });

  it("lets an instructor enrol trainees in their own course only, and never an instructor", async () => {
    const kari = await h.login("kari");
    const ok = await h.call(kari, "POST", `/api/courses/${h.courseA}/members`, {
      userIds: [h.people.elev3.id],
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().trainees.map((t: { id: string }) => t.id)).toContain(h.people.elev3.id);

    const notHers = await h.call(kari, "POST", `/api/courses/${h.courseB}/members`, {
      userIds: [h.people.elev1.id],
    });
    expect(notHers.statusCode).toBe(403);
    const asInstructor = await h.call(kari, "POST", `/api/courses/${h.courseA}/members`, {
      userIds: [h.people.elev1.id],
      role: "instructor",
    });
    expect(asInstructor.statusCode).toBe(403);
    const anInstructor = await h.call(kari, "POST", `/api/courses/${h.courseA}/members`, {
      userIds: [h.people.per.id],
    });
    expect(anInstructor.json()).toMatchObject({ error: "bad_body", issues: [{ field: "userIds.0" }] });
    const unknown = await h.call(kari, "POST", `/api/courses/${h.courseA}/members`, {
      userIds: ["u-nobody"],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issues[0].field).toBe("userIds");
    const empty = await h.call(kari, "POST", `/api/courses/${h.courseA}/members`, { userIds: [] });
    expect(empty.json().issues[0].field).toBe("userIds");
    expect(
      (await h.call(await h.login("elev1"), "POST", `/api/courses/${h.courseA}/members`, { userIds: [] }))
        .statusCode,
    ).toBe(403);
  });

  it("lets an admin add an instructor to a course", async () => {
    const admin = await h.login("admin");
    const res = await h.call(admin, "POST", `/api/courses/${h.courseB}/members`, {
      userIds: [h.people.kari.id],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(
      res
        .json()
        .instructors.map((i: { id: string }) => i.id)
        .sort(),
    ).toEqual([h.people.kari.id, h.people.per.id].sort());
  });
});
