import { readFileSync } from "node:fs";
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DncLineEntry, dncApi } from "../../src/web/api/dnc/index.ts";
import { createWebApp, type WebApp } from "../../src/web/app.ts";
import { MemorySessionStore } from "../../src/web/auth/memory-session-store.ts";
import { FakeLine } from "../web/dnc/fake-line.ts";
import { tempLibrary } from "../web/dnc/harness.ts";
import { FakeFleet } from "../web/support/fake-fleet.ts";
import { openTrainingWorld, passwordOf, type TrainingWorld } from "../web/support/training-world.ts";
import { CASE_BUDGET_MS, expectBoundedOutput, fuzzParameters, hostileText } from "./support.ts";

// Hostile bodies for every write route (POST, PUT, PATCH, DELETE) of the web
// app: users, courses, check-in, alarms, evidence, privacy, DNC upload,
// login… The routes come from the app itself (an onRoute hook), so a new
// route is fuzzed without touching this file. The app is built as
// test/web/api/harness.ts builds it, from the same world (real SQLite
// training store, real evidence ledger, real access control), plus what that
// harness cannot take: the DNC routes over stand-in lines that never send
// anything (test/web/dnc/fake-line.ts), the admin config check with a
// stand-in loader, and a session store of our own, so that a caller a case
// logged out, demoted or erased gets a new session without a login.
//
// For every case: no 5xx; a 4xx is the API's `{ error, message }` shape (with
// `issues` naming fields for bad_body), bounded by the input's size; the
// session, CSRF and origin checks answer as they should; the case runs
// within the CPU budget; afterwards the app still answers /healthz and
// GET /api/users, Object.prototype is untouched, and whatever was accepted
// (users, courses, alarm acknowledgements) is still there at the end.

const GOOD_PROGRAM = readFileSync(new URL("../dnc/programs/fanuc-O1234.nc", import.meta.url), "latin1");
const HAAS_PROGRAM = readFileSync(new URL("../dnc/programs/haas-O01001.nc", import.meta.url), "latin1");

/**
 * A stand-in for a hung request. A DELETE of a transfer may wait up to 2 s for
 * its engine by design, and `npm test` runs files in parallel on a busy
 * machine: the cap is well above both (the CPU budget below is the real check).
 */
const WALL_CAP_MS = 5000;

/** A write route as the app declared it. */
type WriteRoute = {
  method: string;
  url: string;
  isPublic: boolean;
  /** The roles its guard admits, asked of the app (see `probeRoles`). */
  roles: Who[];
};

/** The real field names of each route's body (from its zod schema); unknown routes get all of them. */
const FIELDS: Record<string, readonly string[]> = {
  "POST /api/login": ["username", "password"],
  "POST /api/logout": [],
  "POST /api/users": ["username", "displayName", "email", "role", "badge", "password"],
  "PATCH /api/users/:id": ["displayName", "role", "disabled"],
  "POST /api/courses": ["name", "startDate", "endDate"],
  "POST /api/courses/:id/members": ["userIds", "role"],
  "POST /api/machines/:id/checkin": ["userId"],
  "POST /api/machines/:id/checkout": [],
  "POST /api/alarms/ack": ["machine", "code", "note"],
  "POST /api/admin/config/check": [],
  "POST /api/trainees/:id/goals/:goalId/status": ["status", "comment"],
  "POST /api/trainees/:id/notes": ["text", "goals"],
  "POST /api/trainees/:id/erase": ["confirm"],
  "POST /api/dnc/validate": ["machine", "fileName", "program", "mode"],
  "POST /api/dnc/transfers": ["machine", "fileName", "program", "mode"],
  "DELETE /api/dnc/transfers/:id": [],
};
const ALL_FIELDS = [...new Set(Object.values(FIELDS).flat())];

/** Keys that have broken JavaScript servers before, and odd ones. */
const ODD_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "", " "];

type Who = "admin" | "instructor" | "trainee";
type Auth =
  | { who: "anonymous" }
  | { who: Who; csrf: "ok" | "missing" | "wrong"; origin: "none" | "same" | "cross" | "cross-site-fetch" };

type Body = { contentType: string | undefined; payload: string | undefined };

type Case = { route: WriteRoute; path: string; routable: boolean; auth: Auth; body: Body };

type Caller = { userId: string; cookie: string; csrfToken: string; token: string };

/** The text of a JSON value, given as text so that `__proto__` and repeated keys survive. */
type JsonText = string;

const json = (v: unknown): JsonText => JSON.stringify(v);

/** Values of no particular field that break naive code: wrong types, huge, deep, odd unicode. */
function hostileValue(): fc.Arbitrary<JsonText> {
  return fc.oneof(
    fc.constantFrom(
      "null",
      "true",
      "false",
      "0",
      "-0",
      "-1",
      "1.5",
      "1e308",
      "-1e308",
      "9007199254740993",
      '""',
      '" "',
      "[]",
      "{}",
      "[null]",
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '"__proto__"',
      '"constructor"',
      '"\\u0000"',
      '"\\ud800"',
      '"a\\nb\\r\\tc"',
    ),
    fc.jsonValue({ maxDepth: 3 }).map(json),
    fc.string({ unit: "grapheme", maxLength: 40 }).map(json),
    fc.string({ unit: "binary", maxLength: 40 }).map(json),
    // Huge strings, up to about the app's 64 KiB body limit.
    fc
      .tuple(
        fc.constantFrom("x", "é", "😀", "\\", '"', "%", "\u0000"),
        fc.noBias(fc.integer({ min: 200, max: 30_000 })),
      )
      .map(([unit, n]) => json(unit.repeat(n))),
    // Deep nesting.
    fc
      .tuple(
        fc.constantFrom(["[", "]"], ['{"a":', "}"], ['{"__proto__":', "}"]),
        fc.noBias(fc.integer({ min: 10, max: 10_000 })),
      )
      .map(([[open, close], n]) => `${open!.repeat(n)}1${close!.repeat(n)}`),
  );
}

type Pools = {
  userIds: string[];
  traineeIds: string[];
  courseIds: string[];
  machineIds: string[];
  /** The machines with a (stand-in) DNC line. */
  dncMachineIds: string[];
  goalIds: string[];
  transferIds: string[];
  usernames: string[];
};

/**
 * Values each field takes in real use (mostly), and near misses, so that
 * bodies get past the schema to the service and its rules.
 */
function goodValue(field: string, pools: Pools): fc.Arbitrary<JsonText> {
  const from = (...values: unknown[]) => fc.constantFrom(...values.map(json));
  const pick = (pool: readonly string[]) => fc.constantFrom(...pool.map(json));
  const either = (valid: fc.Arbitrary<JsonText>, nearMiss: fc.Arbitrary<JsonText>) =>
    fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: nearMiss });
  switch (field) {
    case "username":
      return either(
        fc.stringMatching(/^[a-z][a-z0-9._-]{1,20}$/).map(json),
        from("Ny.Elev", "a", "x".repeat(33), " padded ", "é", ...pools.usernames),
      );
    case "password":
      return either(from("pw-long-enough-123", passwordOf("admin")), from("", "p".repeat(1025)));
    case "displayName":
      return either(
        fc.oneof(
          from("Ny Elev", "Åse Ødegård"),
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).map(json),
        ),
        from(" ", "a\u0000b", "x".repeat(101), "\u202eevil"),
      );
    case "email":
      return either(from("ny@example.no"), from("not-an-email", "a@b", `${"x".repeat(250)}@example.no`));
    case "role":
      return either(from("trainee", "instructor", "admin"), from("root", "Admin"));
    case "badge":
      return either(fc.stringMatching(/^B-[0-9]{4,10}$/).map(json), from("bad badge", "b".repeat(65)));
    case "disabled":
    case "confirm":
      return either(from(true, false), from("true", 1));
    case "name":
      return either(fc.string({ minLength: 1, maxLength: 30 }).map(json), from(" ", "x".repeat(121)));
    case "startDate":
    case "endDate":
      return either(
        from("2027-03-01", "2027-03-31", "2026-01-01"),
        from("2027-02-30", "2027-3-1", "2027-03-01T00:00:00Z", "", "9999-99-99"),
      );
    case "userIds":
      return either(
        fc.subarray(pools.userIds, { minLength: 1 }).map(json),
        fc.oneof(
          from([], ["nope"], [""], ["x".repeat(65)]),
          fc.array(fc.constantFrom(...pools.userIds), { minLength: 400, maxLength: 600 }).map(json),
        ),
      );
    case "userId":
      return either(pick(pools.userIds), from("nope", "", "x".repeat(65)));
    case "machine":
      return either(
        fc.oneof(pick(pools.dncMachineIds), pick(pools.machineIds)),
        from("nope", "", "x".repeat(101)),
      );
    case "code":
      return either(from("E1001", "ALM 2"), from("", "c".repeat(101)));
    case "note":
      return either(from("chips cleared, door switch OK"), from(" ", "n".repeat(501)));
    case "status":
      return either(from("F", "K"), from("P", "f", "none"));
    case "comment":
      return either(from("good work"), from("", " ", "c".repeat(2001)));
    case "text":
      return either(from("Measured the part; within tolerance"), from(" ", "t".repeat(4001)));
    case "goals":
      return either(
        fc.subarray(pools.goalIds, { maxLength: 4 }).map(json),
        from(["nope"], [""], Array(51).fill("g")),
      );
    case "fileName":
      return either(
        from("O1234.nc", "O01001.nc", "part 2.nc"),
        from("../etc/passwd", "a/b.nc", ".hidden", "a".repeat(101), "", "a..b"),
      );
    case "program":
      return either(
        from(GOOD_PROGRAM, HAAS_PROGRAM),
        fc.oneof(
          from("%\nO1\n%", "", GOOD_PROGRAM.toLowerCase()),
          hostileText(
            ["G01 X1.", "\n", "%", "(", ")", "O1234", "M30", ";", "\r"],
            ["(", "%\n", "G01 X1.\n"],
            5_000,
          ).map(json),
        ),
      );
    case "mode":
      return either(from("send", "drip"), from("punch", "SEND"));
    default:
      return fc.oneof(fc.jsonValue({ maxDepth: 2 }).map(json), pick(pools.userIds));
  }
}

/** `{…}` from entries, written out by hand so a key may repeat or be `__proto__`. */
const objectText = (entries: readonly (readonly [string, JsonText])[]): string =>
  `{${entries.map(([k, v]) => `${json(k)}:${v}`).join(",")}}`;

/** A body for a route with these fields: mostly a plausible object with a few things wrong, sometimes anything. */
function bodyText(fields: readonly string[], pools: Pools): fc.Arbitrary<string | undefined> {
  const base = fc.tuple(
    ...fields.map((f) =>
      fc.option(
        goodValue(f, pools).map((v) => [f, v] as const),
        { freq: 16, nil: undefined },
      ),
    ),
  );
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...(fields.length > 0 ? fields : ALL_FIELDS)) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_KEYS) },
    { weight: 1, arbitrary: fc.constantFrom(...ALL_FIELDS) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
    { weight: 1, arbitrary: fc.noBias(fc.integer({ min: 100, max: 20_000 })).map((n) => "k".repeat(n)) },
  );
  const mutation = fc.oneof(
    fc.record({ op: fc.constant("set" as const), key, value: hostileValue() }),
    fc.record({ op: fc.constant("drop" as const), key }),
    fc.record({
      op: fc.constant("repeat" as const),
      key,
      value: fc.oneof(hostileValue(), goodValue(fields[0] ?? "", pools)),
    }),
  );
  const mutations = fc.oneof(
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
  );
  const plausible = fc.tuple(base, mutations).map(([entries, mutations]) => {
    let out: (readonly [string, JsonText])[] = entries.filter((e) => e !== undefined);
    for (const m of mutations) {
      if (m.op === "drop") out = out.filter(([k]) => k !== m.key);
      else if (m.op === "set") out = [...out.filter(([k]) => k !== m.key), [m.key, m.value]];
      else out = [...out, [m.key, m.value]];
    }
    return objectText(out);
  });
  const manyKeys = fc
    .tuple(fc.noBias(fc.integer({ min: 50, max: 3000 })), fc.constantFrom("k", "__proto__x", "é"))
    .map(([n, prefix]) => objectText(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "1"] as const)));
  return fc.oneof(
    { weight: 24, arbitrary: plausible },
    // Right fields, wrong outer shape: an array, a string, a number… instead of an object.
    { weight: 1, arbitrary: plausible.map((o) => `[${o}]`) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json) },
    { weight: 1, arbitrary: hostileValue() },
    { weight: 1, arbitrary: manyKeys },
    // Prototype pollution, at the top and inside a field.
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...ODD_KEYS.slice(0, 3), ...fields)
        .map(
          (k) =>
            `{"__proto__":{"polluted":"yes","isAdmin":true,"role":"admin"},${json(k)}:{"__proto__":{"polluted":"yes"}},"constructor":{"prototype":{"polluted":"yes"}}}`,
        ),
    },
    // Not JSON, or broken JSON.
    {
      weight: 1,
      arbitrary: hostileText(
        ["{", "}", "[", "]", '"', ":", ",", "\\u", "\\", "__proto__", "null", "1e", "\u0000", "é"],
        ['{"a":', "[", '"\\u', "\\"],
        20_000,
      ),
    },
    { weight: 1, arbitrary: plausible.map((o) => o.slice(0, Math.max(0, o.length - 1))) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const CONTENT_TYPES = [
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/json; charset=latin1",
  "application/jsonx",
  "application/vnd.api+json",
  "",
  "*/*",
  "application/json, text/plain",
];

function body(fields: readonly string[], pools: Pools): fc.Arbitrary<Body> {
  const contentType = fc.oneof(
    { weight: 16, arbitrary: fc.constant("application/json") },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  );
  return fc.record({ contentType, payload: bodyText(fields, pools) });
}

/** Path parameters that route to the route (real ids and short hostile ones) or do not (empty, too long, bad %). */
function pathParam(
  name: string,
  url: string,
  pools: Pools,
): fc.Arbitrary<{ text: string; routable: boolean }> {
  const real =
    name === "goalId"
      ? pools.goalIds
      : url.startsWith("/api/users/")
        ? pools.userIds
        : url.startsWith("/api/courses/")
          ? pools.courseIds
          : url.startsWith("/api/machines/")
            ? pools.machineIds
            : url.startsWith("/api/trainees/")
              ? pools.traineeIds
              : url.startsWith("/api/dnc/transfers/")
                ? pools.transferIds
                : [...pools.userIds, ...pools.machineIds];
  const routable = (text: string) => ({ text, routable: true });
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...(real.length > 0 ? real : ["x"])).map(routable) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            "__proto__",
            "constructor",
            "nope",
            "é",
            " ",
            "%00",
            "a/b",
            "a?b",
            "a#b",
            "null",
            "0",
          ),
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }),
        )
        // A segment of only dots is a path step ("..") and would not reach the route.
        .filter((s) => !/^\.*$/.test(s))
        .map((s) => routable(encodeURIComponent(s))),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom("", "x".repeat(150), "%", "%ZZ", "%C3", "..", "a/b")
        .map((text) => ({ text, routable: false })),
    },
  );
}

/** Mostly the roles the route admits, with the right token; some others, anonymous, without the token or cross-site. */
function auth(route: WriteRoute): fc.Arbitrary<Auth> {
  const all: Who[] = ["admin", "instructor", "trainee"];
  const admitted = route.roles.length > 0 ? route.roles : all;
  const ok = (who: fc.Arbitrary<Who>) =>
    fc.record({
      who,
      csrf: fc.constant<"ok">("ok"),
      origin: fc.constantFrom<"none" | "same">("none", "same"),
    });
  return fc.oneof(
    { weight: 12, arbitrary: ok(fc.constantFrom(...admitted)) },
    { weight: 2, arbitrary: ok(fc.constantFrom(...all)) },
    { weight: 1, arbitrary: fc.constant<Auth>({ who: "anonymous" }) },
    {
      weight: 2,
      arbitrary: fc.record({
        who: fc.constantFrom(...all),
        csrf: fc.constantFrom<"ok" | "missing" | "wrong">("ok", "missing", "wrong"),
        origin: fc.constantFrom<"none" | "same" | "cross" | "cross-site-fetch">(
          "none",
          "same",
          "cross",
          "cross-site-fetch",
        ),
      }),
    },
  );
}

/**
 * CPU time of this thread (the event loop's) in ms. Not the process's, as support.ts
 * measures: password hashing runs on libuv's pool, and a login with an unknown name
 * hashes a decoy at the production cost (~0.1 s) by design, without holding up the loop.
 */
function cpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

describe("fuzz: JSON bodies of every write route", () => {
  let world: TrainingWorld;
  let app: WebApp;
  let webSessions: MemorySessionStore;
  let closeLibrary: () => void;
  let pools: Pools;
  const lines: FakeLine[] = [];
  const routes: WriteRoute[] = [];
  const callers = new Map<Who, Caller>();
  /** Lines the error handler logged for 5xx answers (with the stack), to show with a failure. */
  const errorLog: string[] = [];
  const accepted = { users: new Set<string>(), courses: new Set<string>(), acks: new Set<string>() };
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  let cases = 0;

  beforeAll(async () => {
    world = await openTrainingWorld({ evidence: true });
    const fleet = new FakeFleet();
    const machineIds = fleet.machines.map((m) => m.id);
    const log = pino({ level: "error" }, { write: (line: string) => void errorLog.push(line) });
    const library = tempLibrary();
    closeLibrary = library.close;
    const dncLines: DncLineEntry[] = [
      ["lathe-1", "fanuc"],
      ["mill-2", "haas"],
    ].map(([id, profile]) => {
      const line = new FakeLine(id!, profile as "fanuc" | "haas");
      lines.push(line);
      return { id: id!, name: id!, kind: "lathe", transport: "tcp", line };
    });
    webSessions = new MemorySessionStore();
    const training = world.webDeps(machineIds, log);
    app = createWebApp(
      fleet.deps({
        log,
        ...training,
        auth: { ...training.auth, sessions: webSessions },
        apiRoutes: [
          ...(training.apiRoutes ?? []),
          dncApi({
            lines: () => dncLines,
            library: library.library,
            checkIns: {
              isCheckedIn: (userId, machine) => world.sessions.current(machine)?.userId === userId,
              pseudonymOf: (userId) => world.sessions.pseudonymOf(userId),
            },
            timeZone: "Europe/Oslo",
            log,
          }),
        ],
        siteConfig: {
          config: { gateway: { name: "fuzz" } },
          file: "/nonexistent/site.yaml",
          load: async () => ({}),
        },
      }),
      // The login route's limit per address would answer 429 to nearly every fuzzed login
      // (the user store's own throttling still applies).
      { loginRateLimit: { max: 1_000_000, windowMs: 60_000 } },
    );
    // Routes are added when the app gets ready (on the first request): every write route, from the app itself.
    app.addHook("onRoute", (route) => {
      if (route.config?.wrongMethod) return;
      for (const method of [route.method].flat()) {
        if (!["POST", "PUT", "PATCH", "DELETE"].includes(method)) continue;
        routes.push({ method, url: route.url, isPublic: route.config?.access === "public", roles: [] });
      }
    });
    await app.ready();

    const { people } = world;
    for (const [who, user] of [
      ["admin", people.admin],
      ["instructor", people.kari],
      ["trainee", people.elev1],
    ] as const) {
      // The first session of each through the real login; later ones (after a fuzzed logout,
      // role change or erasure) straight from the session store, as login throttling would refuse them.
      const res = await app.inject({
        method: "POST",
        url: "/api/login",
        payload: { username: user.username, password: passwordOf(user.username) },
      });
      expect(res.statusCode, res.body).toBe(200);
      const token = res.cookies.find((c) => c.name === "maskinport_session")!.value;
      callers.set(who, {
        userId: user.id,
        token,
        cookie: `maskinport_session=${token}`,
        csrfToken: res.json().csrfToken,
      });
    }
    for (const route of routes) route.roles = await probeRoles(route);
    pools = {
      userIds: Object.values(people).map((u) => u.id),
      traineeIds: [people.elev1.id, people.elev2.id, people.elev3.id, people.kari.id],
      courseIds: [world.courseA.id, world.courseB.id],
      machineIds: [...machineIds, "nope"],
      dncMachineIds: dncLines.map((l) => l.id),
      goalIds: [...world.evidence!.catalogue.goals.keys()].slice(0, 20),
      transferIds: [],
      usernames: Object.values(people).map((u) => u.username),
    };
  });

  afterAll(async () => {
    for (const line of lines) if (line.busy) line.finish("ok");
    await app?.close();
    await world?.close();
    closeLibrary?.();
  });

  /**
   * Which roles a route's guard admits, asked of the app: a request with a
   * body of the wrong content type is refused by the guard (403 forbidden)
   * or, once past it, by the body parser (415) before any handler runs.
   */
  async function probeRoles(route: WriteRoute): Promise<Who[]> {
    if (route.isPublic) return [];
    const admitted: Who[] = [];
    for (const [who, caller] of callers) {
      const res = await app.inject({
        method: route.method as "POST",
        url: route.url.replace(/:\w+/g, "probe"),
        headers: {
          cookie: caller.cookie,
          "x-csrf-token": caller.csrfToken,
          "content-type": "application/x-probe",
        },
        payload: "probe",
      });
      if (res.statusCode === 415) admitted.push(who);
      else
        expect([res.statusCode, res.json().error], `${route.method} ${route.url} as ${who}`).toEqual([
          403,
          "forbidden",
        ]);
    }
    return admitted;
  }

  /**
   * Put the world's people back as they were, and the callers' sessions: a case may have
   * disabled, demoted or erased someone (the API lets an admin re-enable even an erased
   * shell, so that is a state the routes must handle too) or logged a caller out.
   */
  async function restorePeople(): Promise<void> {
    for (const person of Object.values(world.people)) {
      const now = await world.users.get(person.id);
      if (now === undefined) throw new Error(`${person.username} is gone from the user store`);
      if (now.role !== person.role) await world.users.update(person.id, { role: person.role });
      if (now.disabled) await world.users.setDisabled(person.id, false);
    }
    for (const [who, caller] of callers) {
      const alive = await webSessions.touch(caller.token);
      if (alive !== undefined) continue;
      const { token, session } = await webSessions.create({ userId: caller.userId, role: who });
      callers.set(who, {
        ...caller,
        token,
        cookie: `maskinport_session=${token}`,
        csrfToken: session.csrfToken,
      });
    }
  }

  function requestOf(c: Case) {
    const headers: Record<string, string> = {};
    if (c.auth.who !== "anonymous") {
      const caller = callers.get(c.auth.who)!;
      headers.cookie = caller.cookie;
      if (c.auth.csrf === "ok") headers["x-csrf-token"] = caller.csrfToken;
      if (c.auth.csrf === "wrong") headers["x-csrf-token"] = `${caller.csrfToken.slice(1)}x`;
      if (c.auth.origin === "same") headers.origin = "http://localhost:80";
      if (c.auth.origin === "cross") headers.origin = "https://evil.example";
      if (c.auth.origin === "cross-site-fetch") headers["sec-fetch-site"] = "cross-site";
    }
    if (c.body.contentType !== undefined) headers["content-type"] = c.body.contentType;
    return {
      method: c.route.method as "POST",
      url: c.path,
      headers,
      ...(c.body.payload === undefined ? {} : { payload: c.body.payload }),
    };
  }

  const label = (c: Case) =>
    `${c.route.method} ${c.path.slice(0, 120)} as ${JSON.stringify(c.auth)} (${c.body.contentType}, ${c.body.payload?.length ?? "no"} bytes: ${c.body.payload?.slice(0, 200)})`;

  /** The checks on one answer. */
  function checkAnswer(c: Case, res: LightMyRequestResponse): void {
    const what = `${label(c)} → ${res.statusCode} ${res.body.slice(0, 300)}${errorLog.length > 0 ? `\nlogged: ${errorLog.join("\n").slice(0, 3000)}` : ""}`;
    expect(res.statusCode, what).toBeLessThan(500);
    if (res.statusCode >= 400) {
      expect(res.headers["content-type"], what).toMatch(/^application\/json/);
      const err = res.json() as Record<string, unknown>;
      expect(typeof err.error === "string" && /^[a-z_]+$/.test(err.error), what).toBe(true);
      expect(typeof err.message === "string" && err.message.length > 0, what).toBe(true);
      if (err.error === "bad_body") {
        expect(Array.isArray(err.issues) && err.issues.length > 0, what).toBe(true);
        for (const issue of err.issues as { field: unknown; message: unknown }[]) {
          expect(typeof issue.field === "string" && issue.field.length > 0, what).toBe(true);
          expect(typeof issue.message === "string" && issue.message.length > 0, what).toBe(true);
        }
      }
      // An error names what was wrong; it does not echo the input back (bounded, as the history API's is).
      expectBoundedOutput(
        `error body of ${what.slice(0, 300)}`,
        (c.body.payload?.length ?? 0) + c.path.length,
        res.body.length,
        2,
        4000,
      );
    }
    // Who may write is decided before the body is read, whatever the body.
    if (c.routable && !c.route.isPublic) {
      // Every case starts with the callers' sessions alive (restorePeople).
      if (c.auth.who !== "anonymous") expect(res.statusCode, what).not.toBe(401);
      if (c.auth.who === "anonymous") expect(res.statusCode, what).toBe(401);
      else if (c.auth.origin === "cross" || c.auth.origin === "cross-site-fetch") {
        expect([res.statusCode, res.json().error], what).toEqual([403, "cross_origin"]);
      } else if (c.auth.csrf !== "ok") {
        expect([res.statusCode, res.json().error], what).toEqual([
          403,
          c.auth.csrf === "missing" ? "csrf_token_missing" : "csrf_token_invalid",
        ]);
      }
    }
  }

  /** Remember what the app accepted, to check at the end that it is still there. */
  function noteAccepted(c: Case, res: LightMyRequestResponse): void {
    if (res.statusCode >= 300 || c.auth.who === "anonymous") return;
    const key = `${c.route.method} ${c.route.url}`;
    if (key === "POST /api/users") accepted.users.add(res.json().user.id);
    if (key === "POST /api/courses") accepted.courses.add(res.json().course.id);
    if (key === "POST /api/alarms/ack") accepted.acks.add(JSON.stringify(res.json().ack.note));
    if (key === "POST /api/dnc/transfers") pools.transferIds.push(res.json().transfer.id);
  }

  async function runCase(c: Case): Promise<void> {
    cases++;
    // CPU time, as support.ts's withinBudget: a slow input is slow every time, so up to three tries.
    // (A write may answer differently the second time; every answer is checked.)
    let ms = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 3 && ms > CASE_BUDGET_MS; attempt++) {
      const cpu = cpuMs();
      const wall = performance.now();
      const res = await app.inject(requestOf(c));
      ms = cpuMs() - cpu;
      const wallMs = performance.now() - wall;
      checkAnswer(c, res);
      noteAccepted(c, res);
      expect(wallMs, `${label(c)} took ${wallMs.toFixed(0)} ms of wall time`).toBeLessThan(WALL_CAP_MS);
      await afterCase(c);
    }
    expect(
      ms,
      `${label(c)}: one case took ${ms.toFixed(1)} ms of CPU, over the ${CASE_BUDGET_MS} ms budget`,
    ).toBeLessThanOrEqual(CASE_BUDGET_MS);
  }

  async function afterCase(c: Case): Promise<void> {
    expect(
      Object.getOwnPropertyNames(Object.prototype).sort(),
      `${label(c)} polluted Object.prototype`,
    ).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted, label(c)).toBeUndefined();
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode, `after ${label(c)}`).toBe(200);
    await restorePeople();
    const admin = callers.get("admin")!;
    const users = await app.inject({ method: "GET", url: "/api/users", headers: { cookie: admin.cookie } });
    expect(users.statusCode, `after ${label(c)}: ${users.body.slice(0, 300)}`).toBe(200);
    // Free the lines every other case: transfers that run on, and ones that have ended, both get DELETEd.
    if (cases % 2 === 0) for (const line of lines) if (line.busy) line.finish("ok");
  }

  function caseFor(route: WriteRoute): fc.Arbitrary<Case> {
    const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const fields = FIELDS[`${route.method} ${route.url}`] ?? ALL_FIELDS;
    return fc
      .tuple(fc.tuple(...names.map((n) => pathParam(n, route.url, pools))), auth(route), body(fields, pools))
      .map(([params, a, b]) => {
        let i = 0;
        const path = route.url.replace(/:\w+/g, () => params[i++]!.text);
        return { route, path, routable: params.every((p) => p.routable), auth: a, body: b };
      });
  }

  it("finds the write routes from the app", () => {
    const found = routes.map((r) => `${r.method} ${r.url}`);
    // Not the list to fuzz (that is `routes`): a check that the hook saw the app's routes at all.
    for (const known of [
      "POST /api/users",
      "PATCH /api/users/:id",
      "POST /api/trainees/:id/erase",
      "POST /api/dnc/transfers",
      "DELETE /api/dnc/transfers/:id",
      "POST /api/alarms/ack",
    ]) {
      expect(found).toContain(known);
    }
    const unknown = found.filter((r) => !(r in FIELDS));
    // A new route is fuzzed anyway, with every field name known; naming its fields here fuzzes it better.
    if (unknown.length > 0)
      console.warn(`web-bodies fuzz: no field names for ${unknown.join(", ")}; using all known`);
  });

  it("every write route answers any body without a 5xx, in the API's error shape, within budget", async () => {
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(caseFor(route), (c) => runCase(c)),
        fuzzParameters(1),
      );
    }
  });

  it("still holds everything it accepted", async () => {
    const admin = callers.get("admin")!;
    const get = async (url: string) => {
      const res = await app.inject({ method: "GET", url, headers: { cookie: admin.cookie } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const users = new Set((await get("/api/users")).users.map((u: { id: string }) => u.id));
    for (const id of [...accepted.users, ...Object.values(world.people).map((u) => u.id)])
      expect(users).toContain(id);
    const courses = new Set((await get("/api/courses")).courses.map((c: { id: string }) => c.id));
    for (const id of [...accepted.courses, world.courseA.id, world.courseB.id]) expect(courses).toContain(id);
    const acks = new Set(
      (await get("/api/alarms/acks")).acks.map((a: { note: string }) => JSON.stringify(a.note)),
    );
    for (const note of accepted.acks) expect(acks).toContain(note);
    // The fuzzing reached past the schemas: something was accepted.
    expect(accepted.users.size + accepted.courses.size + accepted.acks.size).toBeGreaterThan(0);
  });
});
