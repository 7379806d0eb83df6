import { describe, expect, it } from "vitest";
import { createWebApp } from "../../src/web/app.ts";
import { alignSeries, mergeStates } from "../../src/web/public/plot-data.js";
import { describeOccupant } from "../../src/web/public/sessions.js";
import { currentShiftStart } from "../../src/web/public/shift.js";
import { NamedFakeAuthenticator, PASSWORD } from "./support/fake-authenticator.ts";
import { FakeFleet } from "./support/fake-fleet.ts";

// The web app's routes beyond the live wall: alarm acknowledgements, the QR
// sheet's page guard, the state timeline; and the pages' pure helpers.

async function appWithUsers() {
  const fleet = new FakeFleet();
  const deps = fleet.deps();
  const app = createWebApp({
    ...deps,
    history: {
      range: deps.history!.range,
      stateTimeline: (q) => [{ state: "running", from: q.from, to: q.to }],
    },
    auth: { authenticator: new NamedFakeAuthenticator() },
  });
  const login = async (username: string) => {
    const r = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username, password: PASSWORD },
    });
    return { cookie: String(r.headers["set-cookie"]).split(";")[0]!, csrf: r.json().csrfToken as string };
  };
  return { app, login };
}

describe("POST /api/alarms/ack", () => {
  it("keeps an instructor's note with who and when; everyone logged in reads it, names only for instructors", async () => {
    const { app, login } = await appWithUsers();
    const kari = await login("kari");
    const body = { machine: "mill-2", code: "2001", note: "  Døra lukket  " };
    const saved = await app.inject({
      method: "POST",
      url: "/api/alarms/ack",
      headers: { cookie: kari.cookie, "x-csrf-token": kari.csrf },
      payload: body,
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().ack).toMatchObject({
      machine: "mill-2",
      code: "2001",
      note: "Døra lukket",
      by: { id: "u-instructor-1", name: "Kari Instruktør" },
    });

    const ola = await login("ola");
    const seen = await app.inject({ url: "/api/alarms/acks", headers: { cookie: ola.cookie } });
    expect(seen.json().acks).toEqual([expect.objectContaining({ note: "Døra lukket", by: null })]);
    await app.close();
  });

  it("refuses trainees, writes without the CSRF token, bad bodies and unknown machines", async () => {
    const { app, login } = await appWithUsers();
    const ola = await login("ola");
    const kari = await login("kari");
    const post = (headers: Record<string, string>, payload: unknown) =>
      app.inject({ method: "POST", url: "/api/alarms/ack", headers, payload: payload as object });
    const good = { machine: "mill-2", code: "2001", note: "ok" };
    expect((await post({ cookie: ola.cookie, "x-csrf-token": ola.csrf }, good)).statusCode).toBe(403);
    expect((await post({ cookie: kari.cookie }, good)).json().error).toBe("csrf_token_missing");
    expect((await post({}, good)).statusCode).toBe(401);
    const empty = await post({ cookie: kari.cookie, "x-csrf-token": kari.csrf }, { ...good, note: "   " });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().issues[0].field).toBe("note");
    const unknown = await post(
      { cookie: kari.cookie, "x-csrf-token": kari.csrf },
      { ...good, machine: "nope" },
    );
    expect(unknown.json().issues[0].field).toBe("machine");
    const extra = await post({ cookie: kari.cookie, "x-csrf-token": kari.csrf }, { ...good, when: 1 });
    expect(extra.json().issues[0].field).toBe("when");
    await app.close();
  });
});

describe("pages", () => {
  it("sends a browser without a session from /qr to the login page, and a trainee gets 403 in words", async () => {
    const { app, login } = await appWithUsers();
    const anonymous = await app.inject({ url: "/qr" });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe("/login?next=%2Fqr");
    const ola = await login("ola");
    const trainee = await app.inject({ url: "/qr", headers: { cookie: ola.cookie } });
    expect(trainee.statusCode).toBe(403);
    expect(trainee.body).toContain(
      "Denne siden er for instruktør / administrator. Du er logget inn som elev.",
    );
    const kari = await login("kari");
    const sheet = await app.inject({ url: "/qr", headers: { cookie: kari.cookie, host: "gw.local:8080" } });
    expect(sheet.statusCode).toBe(200);
    expect(sheet.body.match(/<figure class="qr"/g)).toHaveLength(6);
    expect(sheet.body).toContain("http://gw.local:8080/checkin/lathe-1");
    await app.close();
  });

  it("serves every page shell and uPlot from local disk", async () => {
    const { app } = await appWithUsers();
    for (const url of [
      "/",
      "/login",
      "/alarms",
      "/machines/lathe-1",
      "/checkin/mill-2",
      "/assets/uPlot.esm.js",
    ]) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers["content-security-policy"], url).toContain("script-src 'self'");
    }
    await app.close();
  });

  it("answers the state timeline for a window, and names bad parameters", async () => {
    const { app } = await appWithUsers();
    const ok = await app.inject({ url: "/api/machines/lathe-1/states?from=1000&to=2000" });
    expect(ok.json()).toEqual({
      machine: "lathe-1",
      from: 1000,
      to: 2000,
      segments: [{ state: "running", from: 1000, to: 2000 }],
    });
    expect(
      (await app.inject({ url: "/api/machines/lathe-1/states?from=3000&to=2000" })).json().parameter,
    ).toBe("from");
    expect((await app.inject({ url: "/api/machines/lathe-1/states?form=1" })).json().parameter).toBe("form");
    expect((await app.inject({ url: "/api/machines/nope/states" })).statusCode).toBe(404);
    await app.close();
  });
});

describe("page helpers", () => {
  it("aligns signals on one time axis, holding values and keeping unavailable gaps", () => {
    const data = alignSeries([
      [
        { ts: 1000, value: 5 },
        { ts: 3000, value: null },
      ],
      [{ ts: 2000, value: 7 }],
    ]);
    expect(data).toEqual([
      [1, 2, 3],
      [5, 5, null],
      [null, 7, 7],
    ]);
  });

  it("extends stored state segments with the changes seen live", () => {
    const merged = mergeStates(
      [{ state: "idle", from: 0, to: 100 }],
      [{ state: "running", ts: 150 }],
      50,
      200,
    );
    expect(merged).toEqual([
      { state: "idle", from: 50, to: 150 },
      { state: "running", from: 150, to: 200 },
    ]);
  });

  it("finds the current shift's start in the site's zone, across midnight and DST", () => {
    const starts = ["07:00", "15:00", "22:00"];
    // 2025-07-01 10:30 in Oslo (UTC+2) → 07:00 Oslo = 05:00Z
    expect(currentShiftStart(Date.UTC(2025, 6, 1, 8, 30), "Europe/Oslo", starts)).toBe(
      Date.UTC(2025, 6, 1, 5, 0),
    );
    // 2025-01-15 03:00 in Oslo (UTC+1) → yesterday 22:00 Oslo = 21:00Z
    expect(currentShiftStart(Date.UTC(2025, 0, 15, 2, 0), "Europe/Oslo", starts)).toBe(
      Date.UTC(2025, 0, 14, 21, 0),
    );
    // 2025-03-30, the spring-forward day: 07:00 Oslo is already summer time (05:00Z)
    expect(currentShiftStart(Date.UTC(2025, 2, 30, 9, 0), "Europe/Oslo", starts)).toBe(
      Date.UTC(2025, 2, 30, 5, 0),
    );
  });

  it("shows who is checked in as the API allows: a name, you, or only that someone is there", () => {
    const entry = { machine: "m", since: 0, you: false, trainee: null };
    expect(describeOccupant(undefined, true)).toEqual({ kind: "someone" });
    expect(describeOccupant(undefined, false)).toBeNull();
    expect(describeOccupant(null, true)).toBeNull();
    expect(describeOccupant({ ...entry, you: true }, true)).toEqual({ kind: "you" });
    expect(describeOccupant({ ...entry, trainee: { id: "u", name: "Ola" } }, true)).toEqual({
      kind: "name",
      name: "Ola",
    });
    expect(describeOccupant(entry, true)).toEqual({ kind: "someone" });
  });
});
