import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, passwordOf, trainingHarness } from "./harness.ts";

// The "Evidence" routes over the real EvidenceService (a SQLite ledger in a
// temp folder, the shipped catalogues in config/competence): who may read
// whose evidence, who may set F and K, notes, the course matrix, reports,
// export and erasure.

let h: Harness;
beforeEach(async () => {
  h = await trainingHarness({ evidence: true });
  // elev1 sent a program by DNC on lathe-1: the send-dnc goal's one rule is met (F proposed).
  await h.evidence!.record([
    {
      type: "program.transfer",
      traineeId: h.people.elev1.id,
      machine: "lathe-1",
      sessionId: "s-test1",
      ts: Date.UTC(2027, 0, 5, 9),
      payload: {
        machineKind: "lathe",
        direction: "send",
        file: "O1001.NC",
        checksum: "abc",
        bytes: 1200,
        durationMs: 4000,
        result: "ok",
      },
    },
  ]);
});
afterEach(async () => {
  await h.close();
});

const progressOf = async (h: Harness, who: string, traineeId: string) =>
  h.call(await h.login(who), "GET", `/api/trainees/${traineeId}/progress`);

describe("GET /api/catalogue", () => {
  it("lists the goals to anyone logged in, and to nobody else", async () => {
    expect((await h.call(undefined, "GET", "/api/catalogue")).statusCode).toBe(401);
    const res = await h.call(await h.login("elev1"), "GET", "/api/catalogue");
    expect(res.statusCode).toBe(200);
    const sendDnc = res.json().goals.find((g: { id: string }) => g.id === "send-dnc");
    expect(sendDnc).toMatchObject({
      assessment: "machine",
      title: { nb: expect.any(String), en: expect.any(String) },
    });
    expect(sendDnc.serves).toContain("kv708-1");
  });
});

describe("GET /api/trainees/:id/progress", () => {
  it("shows a trainee their own P/F/K with the evidence behind it", async () => {
    const res = await progressOf(h, "elev1", h.people.elev1.id);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.trainee).toEqual({ id: h.people.elev1.id, name: "Ola Nordmann" });
    const goal = body.goals.find((g: { goalId: string }) => g.goalId === "send-dnc");
    expect(goal).toMatchObject({ status: "P", proposedF: true, dates: { P: Date.UTC(2027, 0, 5, 9) } });
    expect(goal.evidence).toEqual([
      expect.objectContaining({
        type: "program.transfer",
        machine: "lathe-1",
        summary: "send O1001.NC · ok",
      }),
    ]);
  });

  it("refuses another trainee and another course's instructor (403); admits the course's instructor and admins", async () => {
    expect((await progressOf(h, "elev2", h.people.elev1.id)).statusCode).toBe(403);
    expect((await progressOf(h, "per", h.people.elev1.id)).statusCode).toBe(403);
    expect((await progressOf(h, "kari", h.people.elev1.id)).statusCode).toBe(200);
    expect((await progressOf(h, "admin", h.people.elev1.id)).statusCode).toBe(200);
    expect((await progressOf(h, "kari", "u-nobody")).statusCode).toBe(404);
    expect((await h.call(undefined, "GET", `/api/trainees/${h.people.elev1.id}/progress`)).statusCode).toBe(
      401,
    );
  });
});

describe("POST /api/trainees/:id/goals/:goalId/status", () => {
  const url = (h: Harness, goal: string) => `/api/trainees/${h.people.elev1.id}/goals/${goal}/status`;

  it("lets the trainee confirm a proposed F, then their instructor sign K with a comment", async () => {
    const elev1 = await h.login("elev1");
    const f = await h.call(elev1, "POST", url(h, "send-dnc"), { status: "F" });
    expect(f.statusCode, f.body).toBe(200);
    const kari = await h.login("kari");
    const noComment = await h.call(kari, "POST", url(h, "send-dnc"), { status: "K" });
    expect(noComment.statusCode).toBe(400);
    expect(noComment.json().issues).toEqual([
      { field: "comment", message: expect.stringContaining("comment") },
    ]);
    const k = await h.call(kari, "POST", url(h, "send-dnc"), {
      status: "K",
      comment: "Sendte og sjekket selv.",
    });
    expect(k.statusCode, k.body).toBe(200);

    const goal = (await progressOf(h, "elev1", h.people.elev1.id))
      .json()
      .goals.find((g: { goalId: string }) => g.goalId === "send-dnc");
    expect(goal).toMatchObject({
      status: "K",
      signedBy: "Kari Instruktør",
      comment: "Sendte og sjekket selv.",
    });
  });

  it("refuses what the rules do not allow: a trainee's K, F before the rules are met, others' goals, admins", async () => {
    const elev1 = await h.login("elev1");
    expect((await h.call(elev1, "POST", url(h, "send-dnc"), { status: "K", comment: "x" })).statusCode).toBe(
      403,
    );
    const early = await h.call(elev1, "POST", url(h, "run-lathe"), { status: "F" });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ error: "not_now", message: expect.stringContaining("not met") });
    const elev2 = await h.login("elev2");
    expect((await h.call(elev2, "POST", url(h, "send-dnc"), { status: "F" })).statusCode).toBe(403);
    const per = await h.login("per");
    expect((await h.call(per, "POST", url(h, "send-dnc"), { status: "F" })).statusCode).toBe(403);
    const admin = await h.login("admin");
    expect((await h.call(admin, "POST", url(h, "send-dnc"), { status: "F" })).statusCode).toBe(403);
    const kari = await h.login("kari");
    expect((await h.call(kari, "POST", url(h, "no-such-goal"), { status: "F" })).statusCode).toBe(404);
    const bad = await h.call(kari, "POST", url(h, "send-dnc"), { status: "X" });
    expect(bad.json()).toMatchObject({ error: "bad_body", issues: [{ field: "status" }] });
  });
});

describe("notes and the course matrix", () => {
  it("lets the trainee's instructor add a note (the text stays out of the chain), not the trainee", async () => {
    const kari = await h.login("kari");
    const res = await h.call(kari, "POST", `/api/trainees/${h.people.elev1.id}/notes`, {
      text: "Flink med oppspenning.",
      goals: ["run-lathe"],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().note).toMatchObject({ goals: ["run-lathe"] });
    const exported = await h.evidence!.exportOf(h.people.elev1.id);
    expect(exported.notes.map((n) => n.text)).toEqual(["Flink med oppspenning."]);

    const bad = await h.call(kari, "POST", `/api/trainees/${h.people.elev1.id}/notes`, {
      text: "x",
      goals: ["nope"],
    });
    expect(bad.json().issues[0].field).toBe("goals.0");
    const elev1 = await h.login("elev1");
    expect(
      (await h.call(elev1, "POST", `/api/trainees/${h.people.elev1.id}/notes`, { text: "x" })).statusCode,
    ).toBe(403);
  });

  it("gives the course's instructor trainees × goals, and refuses other instructors", async () => {
    const res = await h.call(await h.login("kari"), "GET", `/api/courses/${h.courseA}/matrix`);
    expect(res.statusCode).toBe(200);
    const ola = res.json().trainees.find((t: { id: string }) => t.id === h.people.elev1.id);
    expect(ola).toMatchObject({ name: "Ola Nordmann", statuses: { "send-dnc": "P", "run-lathe": "none" } });
    expect((await h.call(await h.login("per"), "GET", `/api/courses/${h.courseA}/matrix`)).statusCode).toBe(
      403,
    );
  });
});

describe("reports", () => {
  it("renders the trainee report as HTML (no script allowed), JSON and CSV, and the course summary", async () => {
    const kari = await h.login("kari");
    const html = await h.call(kari, "GET", `/api/trainees/${h.people.elev1.id}/report.html?lang=en`);
    expect(html.statusCode, html.body).toBe(200);
    expect(html.headers["content-type"]).toContain("text/html");
    expect(html.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(html.body).toContain("Ola Nordmann");
    const json = await h.call(kari, "GET", `/api/trainees/${h.people.elev1.id}/report.json`);
    expect(JSON.parse(json.body)).toMatchObject({ trainee: "Ola Nordmann", course: "CNC A" });
    const csv = await h.call(kari, "GET", `/api/trainees/${h.people.elev1.id}/report.csv`);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body).toContain("send-dnc");
    const summary = await h.call(kari, "GET", `/api/courses/${h.courseA}/summary.csv`);
    expect(summary.body.split("\n")[0]).toMatch(/^trainee,/);
    expect(summary.body).toContain("Aisha Hansen");

    const badLang = await h.call(kari, "GET", `/api/trainees/${h.people.elev1.id}/report.html?lang=de`);
    expect(badLang.statusCode).toBe(400);
    expect(
      (await h.call(await h.login("elev2"), "GET", `/api/trainees/${h.people.elev1.id}/report.html`))
        .statusCode,
    ).toBe(403);
  });
});

describe("export and erasure (admin)", () => {
  it("exports everything held about a trainee, to admins only", async () => {
    await h.sessions.checkIn({
      machine: "lathe-1",
      userId: h.people.elev1.id,
      by: h.people.elev1.id,
      source: "api",
    });
    expect(
      (await h.call(await h.login("kari"), "GET", `/api/trainees/${h.people.elev1.id}/export`)).statusCode,
    ).toBe(403);
    const res = await h.call(await h.login("admin"), "GET", `/api/trainees/${h.people.elev1.id}/export`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ username: "elev1", email: "ola@example.no" });
    expect(body.user).not.toHaveProperty("passwordHash");
    expect(body.evidence.marks).toContainEqual(expect.objectContaining({ goal: "send-dnc", mark: "P" }));
    expect(body.courses).toEqual([expect.objectContaining({ id: h.courseA, role: "trainee" })]);
    expect(body.sessions).toHaveLength(1);
    expect(body.evidence.records.length).toBeGreaterThan(0);
  });

  it("erases: sessions end, login stops, personal fields go, the evidence is no longer linked", async () => {
    const elev1 = await h.login("elev1");
    await h.call(elev1, "POST", "/api/machines/lathe-1/checkin", {});
    const admin = await h.login("admin");
    const unconfirmed = await h.call(admin, "POST", `/api/trainees/${h.people.elev1.id}/erase`, {});
    expect(unconfirmed.json()).toMatchObject({ error: "bad_body", issues: [{ field: "confirm" }] });
    const res = await h.call(admin, "POST", `/api/trainees/${h.people.elev1.id}/erase`, { confirm: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ erased: true, sessionsDeleted: 1 });
    expect(await h.store.listSessions({ userId: h.people.elev1.id })).toEqual([]);

    expect(h.sessions.current("lathe-1")).toBeUndefined();
    expect((await h.call(elev1, "GET", "/api/me")).statusCode).toBe(401);
    const login = await h.app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "elev1", password: passwordOf("elev1") },
    });
    expect(login.statusCode).toBe(401);
    const user = await h.users.get(h.people.elev1.id);
    expect(user).toMatchObject({ displayName: "(erased)", email: null, badge: null, disabled: true });
    expect(user?.username).not.toBe("elev1");
    expect(await h.evidence!.recordsOf(h.people.elev1.id)).toEqual([]);
  });
});
