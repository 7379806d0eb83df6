import { describe, expect, it } from "vitest";
import { createWebApp } from "../../src/web/app.ts";
import { APP_NB } from "../../src/web/i18n-app.ts";
import { DOMAIN_NB } from "../../src/web/i18n-domain.ts";
import { EVIDENCE_NB_ALL } from "../../src/web/i18n-evidence.ts";
import {
  countByType,
  createDateFormatter,
  goalActions,
  markCounts,
  markParts,
  newestFirst,
} from "../../src/web/public/evidence-format.js";
import { NamedFakeAuthenticator, PASSWORD } from "./support/fake-authenticator.ts";
import { FakeFleet } from "./support/fake-fleet.ts";

// The evidence and admin pages' guards (who gets the page, who the login
// page, who a 403 page) and the pages' pure helpers.

async function appWithUsers() {
  const app = createWebApp({
    ...new FakeFleet().deps(),
    auth: { authenticator: new NamedFakeAuthenticator() },
  });
  const cookieOf = async (username: string) => {
    const r = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username, password: PASSWORD },
    });
    return String(r.headers["set-cookie"]).split(";")[0]!;
  };
  return { app, cookieOf };
}

describe("evidence and admin page guards", () => {
  it("sends a browser without a session to the login page, coming back afterwards", async () => {
    const { app } = await appWithUsers();
    for (const path of ["/progress", "/trainees/u-trainee-2", "/courses", "/courses/c-1", "/admin"]) {
      const res = await app.inject({ url: path });
      expect(res.statusCode, path).toBe(303);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    await app.close();
  });

  it("gives a trainee their own progress page and a 403 page for another trainee's, the courses and admin", async () => {
    const { app, cookieOf } = await appWithUsers();
    const cookie = await cookieOf("ola");
    const own = await app.inject({ url: "/progress", headers: { cookie } });
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('<script type="module" src="/assets/progress.js">');
    for (const path of [
      "/trainees/u-trainee-2",
      "/trainees/u-trainee-1",
      "/courses",
      "/courses/c-1",
      "/admin",
    ]) {
      const res = await app.inject({ url: path, headers: { cookie } });
      expect(res.statusCode, path).toBe(403);
      expect(res.headers["content-type"]).toContain("text/html");
      expect(res.body).toContain("Du er logget inn som elev");
      expect(res.body).toContain("instruktør / administrator");
    }
    await app.close();
  });

  it("gives instructors and admins the trainee, course and admin pages", async () => {
    const { app, cookieOf } = await appWithUsers();
    for (const who of ["kari", "root"]) {
      const cookie = await cookieOf(who);
      for (const [path, script] of [
        ["/trainees/u-trainee-1", "progress.js"],
        ["/courses", "courses.js"],
        ["/courses/c-1", "courses.js"],
        ["/admin", "admin.js"],
      ] as const) {
        const res = await app.inject({ url: path, headers: { cookie } });
        expect(res.statusCode, `${who} ${path}`).toBe(200);
        expect(res.body).toContain(`src="/assets/${script}"`);
        expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
      }
    }
    await app.close();
  });

  it("serves every page script and the stylesheet, and the menu offers each page to its roles", async () => {
    const { app } = await appWithUsers();
    for (const name of [
      "evidence.css",
      "evidence-format.js",
      "goal-list.js",
      "progress.js",
      "courses.js",
      "admin.js",
    ]) {
      expect((await app.inject({ url: `/assets/${name}` })).statusCode, name).toBe(200);
    }
    const shell = (await app.inject({ url: "/login" })).body;
    expect(shell).toContain('<li data-roles="trainee" hidden><a href="/progress"');
    expect(shell).toContain('<li data-roles="instructor admin" hidden><a href="/courses"');
    expect(shell).toContain('<li data-roles="instructor admin" hidden><a href="/admin"');
    await app.close();
  });
});

describe("evidence page helpers", () => {
  it("shows each mark as a letter, an icon and a word, never by colour alone", () => {
    expect(markParts("K")).toEqual({ mark: "K", letter: "K", icon: "i-mark-k", key: "mark.K" });
    expect(markParts("none")).toEqual({ mark: "none", letter: "–", icon: "i-mark-none", key: "mark.none" });
    // Something the page does not know is shown as not begun, not as a raw value.
    expect(markParts("X").mark).toBe("none");
    for (const m of ["none", "P", "F", "K"]) expect(Object.keys(EVIDENCE_NB_ALL)).toContain(`mark.${m}`);
  });

  it("counts marks and sums up evidence per type, newest first", () => {
    expect(
      markCounts([{ status: "K" }, { status: "F" }, { status: "P" }, { status: "none" }, { status: "F" }]),
    ).toEqual({
      n: 5,
      none: 1,
      P: 1,
      F: 2,
      K: 1,
    });
    const evidence = [
      { id: 1, type: "program.transfer", ts: 10, machine: "m", summary: "" },
      { id: 2, type: "cycle.completed", ts: 30, machine: "m", summary: "" },
      { id: 3, type: "cycle.completed", ts: 20, machine: "m", summary: "" },
    ];
    expect(countByType(evidence)).toEqual([
      { type: "cycle.completed", count: 2 },
      { type: "program.transfer", count: 1 },
    ]);
    expect(newestFirst(evidence).map((e) => e.id)).toEqual([2, 3, 1]);
  });

  it("shows dates in the site's zone, not the browser's", () => {
    const ts = Date.UTC(2027, 0, 4, 23, 30); // already 5 January in Oslo
    expect(createDateFormatter("nb", "Europe/Oslo")(ts)).toBe("05.01.2027");
    expect(createDateFormatter("en", "Europe/Oslo")(ts)).toBe("05/01/2027");
    expect(createDateFormatter("nb", "Europe/Oslo")(undefined)).toBe("–");
  });

  it("offers a trainee F only on their own proposed goal, an instructor F before and K after it", () => {
    const goal = (status: "none" | "P" | "F" | "K", proposedF = false) => ({
      goalId: "g",
      status,
      proposedF,
      dates: {},
      evidence: [],
    });
    expect(goalActions(goal("P", true), { role: "trainee", own: true })).toEqual({
      confirmF: true,
      setF: false,
      sign: false,
    });
    expect(goalActions(goal("P", false), { role: "trainee", own: true }).confirmF).toBe(false);
    expect(goalActions(goal("P", true), { role: "trainee", own: false }).confirmF).toBe(false);
    expect(goalActions(goal("P"), { role: "instructor", own: false })).toEqual({
      confirmF: false,
      setF: true,
      sign: false,
    });
    expect(goalActions(goal("F"), { role: "instructor", own: false })).toEqual({
      confirmF: false,
      setF: false,
      sign: true,
    });
    expect(goalActions(goal("K"), { role: "instructor", own: false })).toEqual({
      confirmF: false,
      setF: false,
      sign: false,
    });
    // Admins read; the API lets only trainees and instructors set marks.
    expect(goalActions(goal("F"), { role: "admin", own: false })).toEqual({
      confirmF: false,
      setF: false,
      sign: false,
    });
  });

  it("has no text key that another dictionary already uses (a later spread would silently win)", () => {
    const others = new Set([...Object.keys(APP_NB), ...Object.keys(DOMAIN_NB)]);
    expect(Object.keys(EVIDENCE_NB_ALL).filter((k) => others.has(k))).toEqual([]);
  });
});
