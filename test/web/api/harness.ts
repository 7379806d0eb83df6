import type { LightMyRequestResponse } from "fastify";
import { type Logger, pino } from "pino";
import { expect } from "vitest";
import type { EvidenceService } from "../../../src/evidence/service.ts";
import type { CourseService } from "../../../src/training/people/courses.ts";
import type { UserService } from "../../../src/training/people/users.ts";
import type { SessionService } from "../../../src/training/sessions/sessions.ts";
import type { SqliteTrainingStore } from "../../../src/training/store/sqlite.ts";
import { createWebApp, type WebApp } from "../../../src/web/app.ts";
import type { HistorySource } from "../../../src/web/machine-routes.ts";
import { FakeFleet } from "../support/fake-fleet.ts";
import { openTrainingWorld, type People, passwordOf } from "../support/training-world.ts";

// The training API as the gateway will run it: the real user, course and
// session services over a real SQLite file in a temp folder
// (support/training-world.ts), the real web app and access control, and a
// fake fleet (six machines) for the rest. Requests go through app.inject():
// no socket.

export { type People, passwordOf };

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
  const world = await openTrainingWorld({ evidence: options.evidence ?? false });
  const { store, users, courses, sessions, evidence, people } = world;
  const log = options.log ?? pino({ level: "silent" });
  const fleet = new FakeFleet();
  const machineIds = fleet.machines.map((m) => m.id);
  const app = createWebApp(
    fleet.deps({
      log,
      ...world.webDeps(machineIds, log),
      ...(options.history ? { history: options.history } : {}),
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
    courseA: world.courseA.id,
    courseB: world.courseB.id,
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
      await world.close();
    },
  };
}
