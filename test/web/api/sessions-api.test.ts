import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, trainingHarness } from "./harness.ts";

// Check-in, check-out and the list of who is where, through the real web
// app over a real SQLite training store: who may do what, and who sees names.

let h: Harness;
beforeEach(async () => {
  h = await trainingHarness();
});
afterEach(async () => {
  await h.close();
});

describe("GET /api/sessions", () => {
  it("needs a login (401)", async () => {
    const res = await h.call(undefined, "GET", "/api/sessions");
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe("unauthenticated");
  });

  it("shows names to instructors, and to a trainee only which session is theirs", async () => {
    const elev1 = await h.login("elev1");
    expect((await h.call(elev1, "POST", "/api/machines/lathe-1/checkin", {})).statusCode).toBe(200);
    await h.sessions.checkIn({
      machine: "mill-2",
      userId: h.people.elev2.id,
      by: h.people.elev2.id,
      source: "api",
    });

    const asElev1 = (await h.call(elev1, "GET", "/api/sessions")).json();
    expect(asElev1.sessions).toEqual([
      expect.objectContaining({ machine: "lathe-1", source: "api", you: true, trainee: null }),
      expect.objectContaining({ machine: "mill-2", you: false, trainee: null }),
    ]);
    // Not the other trainee's name, username, e-mail or id anywhere in the answer.
    const raw = JSON.stringify(asElev1);
    for (const leak of ["Aisha", "elev2", "aisha@", h.people.elev2.id, "Ola Nordmann"]) {
      expect(raw).not.toContain(leak);
    }

    const kari = await h.login("kari");
    const asKari = (await h.call(kari, "GET", "/api/sessions")).json();
    expect(asKari.sessions).toEqual([
      expect.objectContaining({
        machine: "lathe-1",
        you: false,
        trainee: { id: h.people.elev1.id, name: "Ola Nordmann" },
      }),
      expect.objectContaining({
        machine: "mill-2",
        you: false,
        trainee: { id: h.people.elev2.id, name: "Aisha Hansen" },
      }),
    ]);
    // Pseudonyms are for MQTT and the store, never shown.
    expect(JSON.stringify(asKari)).not.toContain(h.sessions.pseudonymOf(h.people.elev1.id));
  });
});

describe("POST /api/machines/:id/checkin", () => {
  it("checks a trainee in on themself and answers the session", async () => {
    const elev1 = await h.login("elev1");
    const res = await h.call(elev1, "POST", "/api/machines/lathe-1/checkin", {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().session).toMatchObject({ machine: "lathe-1", you: true, trainee: null, source: "api" });
    expect(h.sessions.current("lathe-1")?.userId).toBe(h.people.elev1.id);
  });

  it("refuses without a session (401) and without the CSRF token (403)", async () => {
    expect((await h.call(undefined, "POST", "/api/machines/lathe-1/checkin", {})).statusCode).toBe(401);
    const elev1 = await h.login("elev1");
    const res = await h.call({ ...elev1, csrfToken: "" }, "POST", "/api/machines/lathe-1/checkin", {});
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe("csrf_token_missing");
    expect(h.sessions.current("lathe-1")).toBeUndefined();
  });

  it("does not let a trainee check someone else in", async () => {
    const elev1 = await h.login("elev1");
    const res = await h.call(elev1, "POST", "/api/machines/lathe-1/checkin", { userId: h.people.elev2.id });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe("not_yours");
    expect(h.sessions.current("lathe-1")).toBeUndefined();
  });

  it("answers a trainee 409 occupied with since, but not who is there", async () => {
    const elev1 = await h.login("elev1");
    const first = await h.call(elev1, "POST", "/api/machines/lathe-1/checkin", {});
    const since = first.json().session.since;
    const elev2 = await h.login("elev2");
    const res = await h.call(elev2, "POST", "/api/machines/lathe-1/checkin", {});
    expect(res.statusCode).toBe(409);
    const body = res.json();
    expect(body).toMatchObject({ error: "occupied", since, you: false });
    expect(body.occupant).toBeUndefined();
    expect(res.body).not.toContain("Ola");
    expect(h.sessions.current("lathe-1")?.userId).toBe(h.people.elev1.id);
  });

  it("lets an instructor assign a trainee of their course, taking the machine over", async () => {
    const elev1 = await h.login("elev1");
    await h.call(elev1, "POST", "/api/machines/lathe-1/checkin", {});
    const kari = await h.login("kari");
    const res = await h.call(kari, "POST", "/api/machines/lathe-1/checkin", { userId: h.people.elev2.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().session).toMatchObject({
      machine: "lathe-1",
      source: "assigned",
      you: false,
      trainee: { id: h.people.elev2.id, name: "Aisha Hansen" },
    });
    expect(h.sessions.current("lathe-1")?.userId).toBe(h.people.elev2.id);
  });

  it("does not let an instructor assign another course's trainee (403) or an unknown user (404)", async () => {
    const kari = await h.login("kari");
    const other = await h.call(kari, "POST", "/api/machines/lathe-1/checkin", { userId: h.people.elev3.id });
    expect(other.statusCode).toBe(403);
    expect(other.json().error).toBe("not_your_trainee");
    const unknown = await h.call(kari, "POST", "/api/machines/lathe-1/checkin", { userId: "u-nobody" });
    expect(unknown.statusCode).toBe(404);
    expect(h.sessions.current("lathe-1")).toBeUndefined();
    // An admin may assign anyone.
    const admin = await h.login("admin");
    const ok = await h.call(admin, "POST", "/api/machines/lathe-1/checkin", { userId: h.people.elev3.id });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it("answers 400 naming the field for bad bodies", async () => {
    const kari = await h.login("kari");
    const missing = await h.call(kari, "POST", "/api/machines/lathe-1/checkin", {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: "bad_body", issues: [{ field: "userId" }] });

    const typo = await h.call(kari, "POST", "/api/machines/lathe-1/checkin", { userID: h.people.elev1.id });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().issues).toEqual([
      { field: "userID", message: 'unknown field; did you mean "userId"?' },
    ]);

    const wrongType = await h.call(kari, "POST", "/api/machines/lathe-1/checkin", { userId: 42 });
    expect(wrongType.json().issues[0].field).toBe("userId");

    const instructor = await h.call(kari, "POST", "/api/machines/lathe-1/checkin", {
      userId: h.people.per.id,
    });
    // per is not in kari's courses, so the course check answers first; an admin gets the field error.
    expect(instructor.statusCode).toBe(403);
    const admin = await h.login("admin");
    const notTrainee = await h.call(admin, "POST", "/api/machines/lathe-1/checkin", {
      userId: h.people.per.id,
    });
    expect(notTrainee.statusCode).toBe(400);
    expect(notTrainee.json().issues[0]).toMatchObject({ field: "userId" });
  });

  it("answers 404 for a machine this gateway does not have", async () => {
    const elev1 = await h.login("elev1");
    const res = await h.call(elev1, "POST", "/api/machines/press-9/checkin", {});
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain("press-9");
  });

  it("answers 409 for a disabled trainee assigned by an instructor", async () => {
    await h.users.setDisabled(h.people.elev2.id, true);
    const kari = await h.login("kari");
    const res = await h.call(kari, "POST", "/api/machines/lathe-1/checkin", { userId: h.people.elev2.id });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe("user_disabled");
  });
});

describe("POST /api/machines/:id/checkout", () => {
  it("lets a trainee end their own session, not someone else's", async () => {
    const elev1 = await h.login("elev1");
    const elev2 = await h.login("elev2");
    await h.call(elev1, "POST", "/api/machines/lathe-1/checkin", {});

    const notYours = await h.call(elev2, "POST", "/api/machines/lathe-1/checkout", {});
    expect(notYours.statusCode).toBe(403);
    expect(notYours.json().error).toBe("not_yours");
    expect(h.sessions.current("lathe-1")?.userId).toBe(h.people.elev1.id);

    const own = await h.call(elev1, "POST", "/api/machines/lathe-1/checkout");
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toEqual({ ended: true });
    expect(h.sessions.current("lathe-1")).toBeUndefined();
    const [ended] = await h.store.listSessions({ machine: "lathe-1" });
    expect(ended).toMatchObject({ endReason: "checkout", endedBy: h.people.elev1.id });
  });

  it("lets an instructor end anyone's session", async () => {
    await h.sessions.checkIn({
      machine: "mill-2",
      userId: h.people.elev3.id,
      by: h.people.elev3.id,
      source: "api",
    });
    const kari = await h.login("kari");
    const res = await h.call(kari, "POST", "/api/machines/mill-2/checkout", {});
    expect(res.statusCode).toBe(200);
    expect(h.sessions.current("mill-2")).toBeUndefined();
  });

  it("answers 409 when nobody is checked in, 400 for a body with fields, 401 without login", async () => {
    const elev1 = await h.login("elev1");
    const none = await h.call(elev1, "POST", "/api/machines/lathe-1/checkout", {});
    expect(none.statusCode).toBe(409);
    expect(none.json().error).toBe("not_checked_in");
    const bad = await h.call(elev1, "POST", "/api/machines/lathe-1/checkout", { machine: "lathe-1" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].field).toBe("machine");
    expect((await h.call(undefined, "POST", "/api/machines/lathe-1/checkout", {})).statusCode).toBe(401);
  });
});
