import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
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
import type { WebDeps } from "../../../src/web/app.ts";

// The training layer as the gateway runs it, for tests: the real user,
// course and session services over a SQLite file in a temp folder, and with
// `{ evidence: true }` the real EvidenceService over a SQLite ledger and the
// shipped catalogues (config/competence). Users and courses are added through
// the services. test/web/api's harness drives it through app.inject(); the
// browser tests serve it on a socket to Chromium.

/** scrypt at its floor (2^10): a login takes a millisecond, not a tenth of a second. */
const FAST_SCRYPT = { logN: 10, r: 8, p: 1 };
const SECRET = "api-test-pseudonym-secret-0123";

export const passwordOf = (username: string) => `pw-${username}-long-enough`;

/** Who is in the world: two courses, each with an instructor and trainees, plus an admin. */
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

export type TrainingWorld = {
  dir: string;
  store: SqliteTrainingStore;
  users: UserService;
  courses: CourseService;
  sessions: SessionService;
  evidence: EvidenceService | undefined;
  people: People;
  courseA: { id: string; name: string };
  courseB: { id: string; name: string };
  /** What createWebApp needs from the training side: login, the API routes and who ran a cycle. */
  webDeps(machineIds: readonly string[], log: Logger): Pick<WebDeps, "auth" | "apiRoutes" | "cycleWho">;
  close(): Promise<void>;
};

export async function openTrainingWorld(options: { evidence?: boolean } = {}): Promise<TrainingWorld> {
  const dir = mkdtempSync(join(tmpdir(), "maskinport-training-"));
  const store = new SqliteTrainingStore(join(dir, "training.db"));
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

  return {
    dir,
    store,
    users,
    courses,
    sessions,
    evidence,
    people,
    courseA: { id: a.id, name: a.name },
    courseB: { id: b.id, name: b.name },
    webDeps: (machineIds, log) => ({
      auth: { authenticator: userAuthenticator(users) },
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
      cycleWho: cycleWhoResolver({
        users,
        sessions,
        sessionsOn: (machine, from, to) => store.listSessions({ machine, from, to }),
      }),
    }),
    async close() {
      sessions.close();
      await store.close();
      await ledger?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
