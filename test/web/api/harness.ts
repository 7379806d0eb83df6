import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { type Logger, pino } from "pino";
import { expect } from "vitest";
import { loadCatalogueFolder } from "../../../src/evidence/catalogue/load.ts";
import { SqliteLedgerStore } from "../../../src/evidence/ledger/sqlite-store.ts";
import { EvidenceService } from "../../../src/evidence/service.ts";
import { CourseService } from "../../../src/training/people/courses.ts";
import { UserService } from "../../../src/training/people/users.ts";
import { SessionService } from "../../../src/training/sessions/sessions.ts";
import { SqliteTrainingStore } from "../../../src/training/store/sqlite.ts";
import type { Role, User } from "../../../src/training/store/types.ts";
import { cycleWhoResolver } from "../../../src/web/api/cycle-who.ts";
import { trainingApi } from "../../../src/web/api/training-api.ts";
import { userAuthenticator } from "../../../src/web/api/user-authenticator.ts";
import { createWebApp, type WebApp } from "../../../src/web/app.ts";
import type { HistorySource } from "../../../src/web/machine-routes.ts";
import { FakeFleet } from "../support/fake-fleet.ts";

// The training API as the gateway will run it: the real user, course and
// session services over a real SQLite file in a temp folder, the real web
// app and access control, and a fake fleet (six machines) for the rest.
// Requests go through app.inject(): no socket.

/** scrypt at its floor (2^10): a login takes a millisecond, not a tenth of a second. */
const FAST_SCRYPT = { logN: 10, r: 8, p: 1 };
const SECRET = "api-test-pseudonym-secret-0123";

export const passwordOf = (username: string) => `pw-${username}-long-enough`;

/** Who is in the harness: two courses, each with an instructor and trainees, plus an admin. */
export type People = {
  admin: User;
  /** Teaches course A (elev1, elev2). */
  kari: User;
  /** Teaches course B (elev3). */
  per: User;
  elev1: User;
  elev2: User;
  elev3: User;
};

export type Caller = { cookie: string; csrfToken: string; userId: string };

export type Harness = {
  app: WebApp;
  store: SqliteTrainingStore;
  users: UserService;
  courses: CourseService;
  sessions: SessionService;
  /** With `{ evidence: true }`: the real service over a ledger in the temp folder and the shipped catalogues. */
  evidence: EvidenceService | undefined;
  people: People;
  courseA: string;
  courseB: string;
  machineIds: string[];
  login(username: string, password?: string): Promise<Caller>;
  /** A request as `caller` (cookie and, for writes, the CSRF token); no caller = anonymous. */
  call(
    caller: Caller | undefined,
    method: "GET" | "POST" | "PATCH",
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
};

export async function trainingHarness(
  options: { log?: Logger; evidence?: boolean; history?: HistorySource } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "maskinport-api-"));
  const store = new SqliteTrainingStore(join(dir, "training.db"));
  const log = options.log ?? pino({ level: "silent" });
  const users = new UserService(store, { scrypt: FAST_SCRYPT });
  const courses = new CourseService(store);
  const sessions = await SessionService.start({
    store,
    pseudonymSecret: SECRET,
    idleCheckoutMinutes: 0,
    endOfDay: "off",
    timeZone: "Europe/Oslo",
    onOccupied: "refuse",
  });
  const add = async (username: string, displayName: string, role: Role, email?: string) =>
    (await users.add({ username, displayName, role, ...(email ? { email } : {}) }, passwordOf(username)))
      .user;
  const people: People = {
    admin: await add("admin", "Anne Admin", "admin"),
    kari: await add("kari", "Kari Instruktør", "instructor"),
    per: await add("per", "Per Instruktør", "instructor"),
    elev1: await add("elev1", "Ola Nordmann", "trainee", "ola@example.no"),
    elev2: await add("elev2", "Aisha Hansen", "trainee", "aisha@example.no"),
    elev3: await add("elev3", "Jonas Berg", "trainee"),
  };
  const a = await courses.add({ name: "CNC A", startDate: "2027-01-04", endDate: "2027-01-29" });
  const b = await courses.add({ name: "CNC B", startDate: "2027-02-01", endDate: "2027-02-26" });
  await courses.enrol(a.id, [people.kari.id, people.elev1.id, people.elev2.id]);
  await courses.enrol(b.id, [people.per.id, people.elev3.id]);

  const ledger = options.evidence ? new SqliteLedgerStore(join(dir, "library.db")) : undefined;
  const evidence = ledger
    ? new EvidenceService({ store: ledger, catalogue: loadCatalogueFolder("config/competence") })
    : undefined;

  const fleet = new FakeFleet();
  const machineIds = fleet.machines.map((m) => m.id);
  const app = createWebApp(
    fleet.deps({
      log,
      auth: { authenticator: userAuthenticator(users) },
      ...(options.history ? { history: options.history } : {}),
      cycleWho: cycleWhoResolver({
        users,
        sessions,
        sessionsOn: (machine, from, to) => store.listSessions({ machine, from, to }),
      }),
      apiRoutes: [
        trainingApi({
          users,
          courses,
          sessions,
          machineIds: () => machineIds,
          log,
          ...(evidence ? { evidence } : {}),
        }),
      ],
    }),
  );

  const login = async (username: string, password = passwordOf(username)): Promise<Caller> => {
    const res = await app.inject({ method: "POST", url: "/api/login", payload: { username, password } });
    expect(res.statusCode, res.body).toBe(200);
    const session = res.cookies.find((c) => c.name === "maskinport_session")!;
    const body = res.json();
    return { cookie: `maskinport_session=${session.value}`, csrfToken: body.csrfToken, userId: body.userId };
  };

  return {
    app,
    store,
    users,
    courses,
    sessions,
    evidence,
    people,
    courseA: a.id,
    courseB: b.id,
    machineIds,
    login,
    call: (caller, method, url, payload) =>
      app.inject({
        method,
        url,
        headers: caller ? { cookie: caller.cookie, "x-csrf-token": caller.csrfToken } : {},
        ...(payload === undefined ? {} : { payload: payload as object }),
      }),
    async close() {
      await app.close();
      sessions.close();
      await store.close();
      await ledger?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
