import { Writable } from "node:stream";
import type { LightMyRequestResponse } from "fastify";
import { type Logger, pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ApiRoutes,
  createWebApp,
  type WebApp,
  type WebAuthDeps,
  type WebTuning,
} from "../../src/web/app.ts";
import { sendJson } from "../../src/web/responses.ts";
import { FakeAuthenticator, PASSWORD } from "./support/fake-authenticator.ts";
import { FakeFleet } from "./support/fake-fleet.ts";

// Login, sessions, roles and CSRF through app.inject(): no socket needed.
// The user store is a stand-in (support/fake-authenticator.ts); the routes
// behind roles are declared here the way the training API will declare them.

let app: WebApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Two routes as the training API will write them: a read for instructors and admins, a write for instructors. */
const trainingLikeRoutes: ApiRoutes = (routes, access) => {
  routes.get("/api/test/course", { onRequest: access.requireRole("instructor", "admin") }, (_req, reply) =>
    sendJson(reply, 200, { course: "CNC intensiv" }),
  );
  routes.post("/api/test/sign-off", { onRequest: access.requireRole("instructor") }, (request, reply) =>
    sendJson(reply, 200, { signedBy: access.sessionOf(request).userId }),
  );
};

function build(
  options: { auth?: WebAuthDeps; tuning?: Partial<WebTuning>; log?: Logger; trustProxy?: boolean } = {},
) {
  const authenticator = new FakeAuthenticator();
  const fleet = new FakeFleet();
  app = createWebApp(
    fleet.deps({
      auth: { authenticator, ...options.auth },
      apiRoutes: [trainingLikeRoutes],
      ...(options.log ? { log: options.log } : {}),
      trustProxy: options.trustProxy ?? false,
    }),
    options.tuning,
  );
  return { app, authenticator };
}

type Login = { cookie: string; csrfToken: string; res: LightMyRequestResponse };

async function login(web: WebApp, username: string, password = PASSWORD): Promise<Login> {
  const res = await web.inject({ method: "POST", url: "/api/login", payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  const session = res.cookies.find((c) => c.name === "maskinport_session")!;
  return { cookie: `maskinport_session=${session.value}`, csrfToken: res.json().csrfToken, res };
}

describe("login", () => {
  it("starts a session in an HttpOnly, SameSite=Strict cookie and answers who logged in", async () => {
    const { app } = build();
    const { res, cookie, csrfToken } = await login(app, "kari");
    expect(res.json()).toMatchObject({
      userId: "u-instructor-1",
      role: "instructor",
      csrfHeader: "x-csrf-token",
    });
    expect(res.headers["cache-control"]).toBe("no-store");
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/^maskinport_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).not.toContain("Secure"); // plain HTTP, secureCookies "auto"
    expect(setCookie).not.toMatch(/Max-Age|Expires/); // ends with the browser

    const me = await app.inject({ url: "/api/me", headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ userId: "u-instructor-1", role: "instructor", csrfToken });
    expect(me.body).not.toContain(cookie.split("=")[1]!); // the session token is never echoed
  });

  it("marks the cookie Secure when configured to (TLS ends at a proxy)", async () => {
    const { app } = build({ auth: { secureCookies: true } });
    const { res } = await login(app, "ola");
    expect(String(res.headers["set-cookie"])).toContain("Secure");
  });

  it("behind a trusted proxy, takes scheme and address from X-Forwarded-*: Secure cookie, real client address", async () => {
    const { app, authenticator } = build({ trustProxy: true });
    const res = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "ola", password: PASSWORD },
      headers: { "x-forwarded-proto": "https", "x-forwarded-for": "10.20.30.40" },
    });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers["set-cookie"])).toContain("Secure");
    expect(authenticator.attempts).toEqual([{ username: "ola", clientAddress: "10.20.30.40" }]);
  });

  it("ignores X-Forwarded-* unless told to trust a proxy", async () => {
    const { app, authenticator } = build();
    const res = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "ola", password: PASSWORD },
      headers: { "x-forwarded-proto": "https", "x-forwarded-for": "10.20.30.40" },
    });
    expect(String(res.headers["set-cookie"])).not.toContain("Secure");
    expect(authenticator.attempts).toEqual([{ username: "ola", clientAddress: "127.0.0.1" }]);
  });

  it("gives the client address to the authenticator, and never logs the username or password", async () => {
    const lines: string[] = [];
    const log: Logger = pino(
      { level: "debug" },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const { app, authenticator } = build({ log });
    await login(app, "ola");
    await app.inject({ method: "POST", url: "/api/login", payload: { username: "ola", password: "feil" } });
    expect(authenticator.attempts).toEqual([
      { username: "ola", clientAddress: "127.0.0.1" },
      { username: "ola", clientAddress: "127.0.0.1" },
    ]);
    const logged = lines.join("");
    expect(logged).toContain('"msg":"login"');
    expect(logged).toContain('"msg":"login refused"');
    expect(logged).not.toContain("ola");
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain("feil");
  });

  it("refuses a wrong password with 401 and no cookie", async () => {
    const { app } = build();
    const res = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "kari", password: "gjett" },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: "bad_credentials", message: "wrong username or password" });
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("replaces an earlier session on a new login, so a planted token is worthless", async () => {
    const { app } = build();
    const first = await login(app, "ola");
    const res = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "ola", password: PASSWORD },
      headers: { cookie: first.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect((await app.inject({ url: "/api/me", headers: { cookie: first.cookie } })).statusCode).toBe(401);
  });

  it("answers 503 on a gateway with no user store yet", async () => {
    const fleet = new FakeFleet();
    app = createWebApp(fleet.deps());
    const res = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "a", password: "b" },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe("login_unavailable");
  });

  it("turns a failing user store into a 500 that tells the client nothing about it", async () => {
    const { app, authenticator } = build();
    authenticator.login = async () => {
      throw new Error("connect ECONNREFUSED /var/run/postgresql secret");
    };
    const res = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "ola", password: PASSWORD },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: "internal_error",
      message: "the gateway could not answer this request; the gateway log has details",
    });
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("turns a user store that cannot be reached just now into a 503 with Retry-After", async () => {
    const { app, authenticator } = build();
    authenticator.login = async () => {
      // What pg throws when the site's PostgreSQL is down: a socket error with its code.
      throw Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432 secret"), { code: "ECONNREFUSED" });
    };
    const res = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "ola", password: PASSWORD },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("30");
    expect(res.json()).toEqual({
      error: "store_unavailable",
      message: "the gateway cannot reach its database just now; try again in a minute",
    });
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("allows only POST, saying so with 405 and Allow", async () => {
    const { app } = build();
    const res = await app.inject({ method: "GET", url: "/api/login" });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe("POST");
    expect(res.json().error).toBe("method_not_allowed");
  });
});

describe("login body validation", () => {
  const post = (web: WebApp, payload: string, contentType = "application/json") =>
    web.inject({ method: "POST", url: "/api/login", payload, headers: { "content-type": contentType } });

  it.each([
    ['{"username":"kari"}', "password", "required"],
    ['{"password":"x"}', "username", "required"],
    ['{"username":"  ","password":"x"}', "username", "must not be empty"],
    ['{"username":"kari","password":12345}', "password", "expected string, got number"],
    [
      '{"usrname":"kari","username":"kari","password":"x"}',
      "usrname",
      'unknown field; did you mean "username"?',
    ],
    ['["kari","x"]', "body", "expected a JSON object"],
    ["null", "body", "expected a JSON object"],
    ['{"username":"kari",', "body", "not valid JSON"],
    ['{"username":"kari","password":"x","__proto__":{"role":"admin"}}', "body", "__proto__"],
  ])("%s → 400 naming %s", async (payload, field, message) => {
    const { app, authenticator } = build();
    const res = await post(app, payload);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe("bad_body");
    expect(body.issues).toContainEqual({ field, message: expect.stringContaining(message) });
    expect(body.message).toContain(`${field}: `);
    expect(authenticator.attempts).toEqual([]);
  });

  it("reports every bad field at once and never repeats the password sent", async () => {
    const { app } = build();
    const res = await post(app, JSON.stringify({ username: "", password: "p".repeat(2000) }));
    expect(res.statusCode).toBe(400);
    expect(res.json().issues.map((i: { field: string }) => i.field)).toEqual(["username", "password"]);
    expect(res.body).not.toContain("ppppp");
  });

  it("wants JSON: another content type gets 415", async () => {
    const { app } = build();
    const res = await post(app, "username=kari&password=x", "application/x-www-form-urlencoded");
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toBe("unsupported_media_type");
  });
});

describe("login throttling", () => {
  it("passes on the user store's throttling as 429 with Retry-After", async () => {
    const { app, authenticator } = build();
    authenticator.failuresBeforeThrottle = 2;
    for (const _ of [1, 2]) {
      const res = await app.inject({
        method: "POST",
        url: "/api/login",
        payload: { username: "kari", password: "x" },
      });
      expect(res.statusCode).toBe(401);
    }
    const res = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "kari", password: PASSWORD },
    });
    expect(res.statusCode).toBe(429);
    expect(res.headers["retry-after"]).toBe("60");
    expect(res.json()).toMatchObject({ error: "throttled", retryAfterMs: 60_000 });
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("limits attempts per client address before they reach the user store, good password or not", async () => {
    const { app, authenticator } = build({ tuning: { loginRateLimit: { max: 3, windowMs: 60_000 } } });
    const attempt = (username: string) =>
      app.inject({ method: "POST", url: "/api/login", payload: { username, password: "x" } });
    for (const name of ["a", "b", "c"]) expect((await attempt(name)).statusCode).toBe(401);
    const blocked = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "kari", password: PASSWORD },
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ error: "throttled" });
    expect(blocked.json().message).toContain("too many login attempts from this address");
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    expect(authenticator.attempts).toHaveLength(3);
    // Other routes are not limited.
    expect((await app.inject({ url: "/api/machines" })).statusCode).toBe(200);
  });
});

describe("sessions and roles", () => {
  it("answers 401 JSON without a session, with a bogus one, and with a stale one (clearing it)", async () => {
    const { app } = build();
    for (const headers of [{}, { cookie: "maskinport_session=nonsense" }]) {
      const res = await app.inject({ url: "/api/me", headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(res.json()).toMatchObject({
        error: "unauthenticated",
        message: expect.stringContaining("POST /api/login"),
      });
    }
    const stale = `maskinport_session=${"A".repeat(43)}`;
    const res = await app.inject({ url: "/api/test/course", headers: { cookie: stale } });
    expect(res.statusCode).toBe(401);
    expect(String(res.headers["set-cookie"])).toMatch(/^maskinport_session=;.*Expires=Thu, 01 Jan 1970/);
  });

  it("lets a route admit only the roles it lists: 403 JSON for the others", async () => {
    const { app } = build();
    const trainee = await login(app, "ola");
    const denied = await app.inject({ url: "/api/test/course", headers: { cookie: trainee.cookie } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({
      error: "forbidden",
      message: "this needs the role instructor or admin; you are logged in as trainee",
    });
    for (const who of ["kari", "root"]) {
      const { cookie } = await login(app, who);
      expect((await app.inject({ url: "/api/test/course", headers: { cookie } })).statusCode, who).toBe(200);
    }
    const admin = await login(app, "root"); // admin is not an instructor unless the route says so
    const write = await app.inject({
      method: "POST",
      url: "/api/test/sign-off",
      headers: { cookie: admin.cookie, "x-csrf-token": admin.csrfToken },
    });
    expect(write.statusCode).toBe(403);
  });

  it("logs out: the session ends and the cookie is cleared", async () => {
    const { app } = build();
    const { cookie, csrfToken } = await login(app, "kari");
    const out = await app.inject({
      method: "POST",
      url: "/api/logout",
      headers: { cookie, "x-csrf-token": csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers["set-cookie"])).toMatch(/^maskinport_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await app.inject({ url: "/api/me", headers: { cookie } })).statusCode).toBe(401);
    const again = await app.inject({
      method: "POST",
      url: "/api/logout",
      headers: { cookie, "x-csrf-token": csrfToken },
    });
    expect(again.statusCode).toBe(401);
  });

  it("ends a session after the idle timeout", async () => {
    const clock = { now: 1_700_000_000_000 };
    const { MemorySessionStore } = await import("../../src/web/auth/memory-session-store.ts");
    const sessions = new MemorySessionStore({ idleTimeoutMs: 60_000, now: () => clock.now });
    const { app } = build({ auth: { sessions } });
    const { cookie } = await login(app, "ola");
    clock.now += 59_000;
    expect((await app.inject({ url: "/api/me", headers: { cookie } })).statusCode).toBe(200);
    clock.now += 61_000;
    expect((await app.inject({ url: "/api/me", headers: { cookie } })).statusCode).toBe(401);
  });
});

describe("CSRF on cookie-authenticated writes", () => {
  async function instructor() {
    const { app } = build();
    const session = await login(app, "kari");
    const signOff = (headers: Record<string, string>) =>
      app.inject({
        method: "POST",
        url: "/api/test/sign-off",
        headers: { cookie: session.cookie, ...headers },
      });
    return { app, session, signOff };
  }

  it("needs the session's token in X-CSRF-Token: missing or wrong → 403", async () => {
    const { session, signOff } = await instructor();
    const missing = await signOff({});
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error).toBe("csrf_token_missing");
    const wrong = await signOff({ "x-csrf-token": `${session.csrfToken.slice(0, -1)}x` });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error).toBe("csrf_token_invalid");
    const right = await signOff({ "x-csrf-token": session.csrfToken });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toEqual({ signedBy: "u-instructor-1" });
  });

  it("does not accept another session's token", async () => {
    const { app, signOff } = await instructor();
    const other = await login(app, "kari");
    expect((await signOff({ "x-csrf-token": other.csrfToken })).statusCode).toBe(403);
  });

  it("refuses writes another site started, even with the right token", async () => {
    const { session, signOff } = await instructor();
    const token = { "x-csrf-token": session.csrfToken };
    const crossSite: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { origin: "http://localhost:8081" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ];
    for (const headers of crossSite) {
      const res = await signOff({ ...token, ...headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().error).toBe("cross_origin");
    }
    // What a page served by the gateway itself sends (inject's Host is localhost:80).
    const same = await signOff({ ...token, origin: "http://localhost", "sec-fetch-site": "same-origin" });
    expect(same.statusCode).toBe(200);
  });

  it("checks the origin of a login too (login CSRF)", async () => {
    const { app, authenticator } = build();
    const res = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "kari", password: PASSWORD },
      headers: { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe("cross_origin");
    expect(authenticator.attempts).toEqual([]);
  });

  it("turns a request without a session away before reading its body", async () => {
    const { app } = build();
    const res = await app.inject({
      method: "POST",
      url: "/api/test/sign-off",
      payload: '{"not json',
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(401); // not 400: the body was never parsed
  });

  it("needs no token for reads", async () => {
    const { app, session } = await instructor();
    const res = await app.inject({ url: "/api/test/course", headers: { cookie: session.cookie } });
    expect(res.statusCode).toBe(200);
  });
});

describe("access declarations", () => {
  it("refuses a guard placed where it would run only after the body is read", async () => {
    const fleet = new FakeFleet();
    app = createWebApp(
      fleet.deps({
        apiRoutes: [
          (routes, access) =>
            routes.post("/api/test/late", { preHandler: access.requireLogin }, (_req, reply) =>
              sendJson(reply, 200, {}),
            ),
        ],
      }),
    );
    await expect(app.ready()).rejects.toThrow(
      /POST \/api\/test\/late has its access guard as a preHandler; make it onRequest/,
    );
  });

  it("refuses to start with a route that says nothing about who may call it", async () => {
    const fleet = new FakeFleet();
    app = createWebApp(
      fleet.deps({
        apiRoutes: [(routes) => routes.get("/api/test/forgotten", (_req, reply) => sendJson(reply, 200, {}))],
      }),
    );
    await expect(app.ready()).rejects.toThrow(
      /route GET \/api\/test\/forgotten declares no access; add onRequest: access.requireRole/,
    );
  });
});
