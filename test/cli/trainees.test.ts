// `maskinport trainees export|erase` as real processes on real database files:
// the access request shows everything, erasure leaves no trace of the person's
// name, username, e-mail, badge or notes in any file, and the chain verifies.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCatalogueFolder } from "../../src/evidence/catalogue/load.ts";
import { SqliteLedgerStore } from "../../src/evidence/ledger/sqlite-store.ts";
import { EvidenceService } from "../../src/evidence/service.ts";
import { SqliteTrainingStore } from "../../src/training/store/sqlite.ts";
import { SqliteSessionStore } from "../../src/web/auth/sqlite-session-store.ts";
import { runMaskinport as run } from "./support/run-maskinport.ts";

const dir = mkdtempSync(join(tmpdir(), "mp-trainees-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const catalogue = loadCatalogueFolder(join(import.meta.dirname, "../../config/competence"));

const T0 = Date.UTC(2027, 0, 11, 7);
const ADA = {
  id: "u-adaadaadaadaada2",
  username: "adatestperson",
  displayName: "Ada Lovelace-Testperson",
  email: "ada.lovelace@example.org",
  badge: "BADGE-ADA-77",
};
const BO = { id: "u-bobobobobobobobo", username: "botestperson", displayName: "Bo Bakketest" };
const NOTE = "Ada Lovelace-Testperson measured the flange carefully";

async function seed(trainingDb: string, ledgerDb: string): Promise<void> {
  const store = new SqliteTrainingStore(trainingDb);
  const user = (u: { id: string; username: string; displayName: string }, over = {}) => ({
    email: null,
    badge: null,
    role: "trainee" as const,
    disabled: false,
    passwordHash: "scrypt$15$8$1$c2FsdA$a2V5",
    createdAt: T0,
    updatedAt: T0,
    ...u,
    ...over,
  });
  await store.insertUsers([
    user(ADA),
    user(BO),
    user(
      { id: "u-insinsinsinsinsi", username: "instruktor", displayName: "Ine Instruktør" },
      { role: "instructor" },
    ),
  ]);
  await store.insertCourse({
    id: "c-1",
    name: "CNC vår 2027",
    startDate: "2027-01-04",
    endDate: "2027-01-29",
    createdAt: T0,
  });
  await store.enrol([
    { courseId: "c-1", userId: ADA.id, role: "trainee", enrolledAt: T0 },
    { courseId: "c-1", userId: BO.id, role: "trainee", enrolledAt: T0 },
  ]);
  const start = (id: string, machine: string, userId: string, at: number) =>
    store.startSession({ id, machine, userId, startedAt: at, source: "api", startedBy: userId }, "refuse");
  await start("s-ada-1", "lathe-1", ADA.id, T0);
  await store.endSession("s-ada-1", T0 + 3_600_000, "checkout", ADA.id);
  await start("s-ada-2", "lathe-1", ADA.id, T0 + 4_000_000);
  await start("s-bo-1", "mill-1", BO.id, T0);
  await store.close();
  // Ada is logged in on the web (the gateway keeps the session in the same file); erasure ends it.
  const webSessions = new SqliteSessionStore(trainingDb);
  await webSessions.create({ userId: ADA.id, role: "trainee" });
  webSessions.close();

  const ledger = new SqliteLedgerStore(ledgerDb);
  const evidence = new EvidenceService({ store: ledger, catalogue });
  for (const [traineeId, machine, kind, session] of [
    [ADA.id, "lathe-1", "lathe", "s-ada-1"],
    [BO.id, "mill-1", "mill", "s-bo-1"],
  ] as const) {
    await evidence.record(
      Array.from({ length: 6 }, (_, i) => ({
        type: "cycle.completed" as const,
        traineeId,
        machine,
        sessionId: session,
        ts: T0 + i * 300_000,
        payload: {
          program: "O1234",
          durationMs: 240_000,
          parts: 1,
          machineKind: kind,
          programSentByTrainee: false,
        },
      })),
    );
  }
  await evidence.addNote({
    traineeId: ADA.id,
    authorId: "u-insinsinsinsinsi",
    ts: T0 + 5_000_000,
    text: NOTE,
  });
  await ledger.close();
}

/** Every byte of every file in the folder (databases, WAL, shared memory). */
function allBytes(folder: string): string {
  return readdirSync(folder)
    .map((f) => readFileSync(join(folder, f)).toString("latin1"))
    .join("\n");
}

describe("maskinport trainees (as a process)", () => {
  it("exports everything held about a trainee, erases it on confirmation, and the chain still verifies", async () => {
    const data = join(dir, "a");
    const trainingDb = join(data, "training.db");
    const ledgerDb = join(data, "library.db");
    await seed(trainingDb, ledgerDb);
    const where = ["--db", trainingDb, "--ledger", ledgerDb];

    const exp = await run(["trainees", "export", ADA.username, ...where]);
    expect(exp.stderr).toBe("");
    expect(exp.code).toBe(0);
    const json = JSON.parse(exp.stdout);
    expect(json.user).toMatchObject({ ...ADA, role: "trainee", disabled: false, passwordSet: true });
    expect(exp.stdout).not.toMatch(/scrypt|passwordHash/);
    expect(json.courses).toEqual([
      expect.objectContaining({ id: "c-1", name: "CNC vår 2027", role: "trainee" }),
    ]);
    expect(json.sessions.map((s: { id: string }) => s.id).sort()).toEqual(["s-ada-1", "s-ada-2"]);
    expect(json.evidence.subject).toMatch(/^[0-9a-f]{32}$/);
    expect(json.evidence.records.filter((r: { type: string }) => r.type === "cycle.completed")).toHaveLength(
      6,
    );
    expect(json.evidence.marks.length).toBeGreaterThan(0);
    expect(json.evidence.marks[0]).toHaveProperty("mark");
    expect(json.evidence.notes).toEqual([expect.objectContaining({ text: NOTE })]);
    expect(exp.stdout).not.toContain(BO.displayName);

    // No confirmation, no erasure.
    const refused = await run(["trainees", "erase", ADA.id, ...where], "no\n");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Type yes to erase: not erased/);
    expect(allBytes(data)).toContain(ADA.displayName);

    const erase = await run(["trainees", "erase", ADA.id, ...where], "yes\n");
    expect(erase.stderr).toMatch(/Type yes to erase:/);
    expect(erase.code).toBe(0);
    expect(erase.stdout).toMatch(
      /^erased u-adaadaadaadaada2: evidence subject [0-9a-f]{32} is anonymous \(1 notes deleted\); 2 sessions deleted; 1 web login ended; user row anonymised and disabled\n$/,
    );

    const verify = await run(["evidence", "verify", "--db", ledgerDb]);
    expect(verify.stdout).toMatch(/^ok: \d+ records verified/);
    expect(verify.code).toBe(0);

    // Not in any file, in any form: name, username, e-mail, badge, the note, the evidence key's subject link.
    const bytes = allBytes(data);
    for (const s of [ADA.displayName, ADA.username, ADA.email, ADA.badge, NOTE, "measured the flange"])
      expect(bytes, s).not.toContain(s);
    expect(bytes).toContain(BO.displayName); // the others are untouched

    const after = JSON.parse((await run(["trainees", "export", ADA.id, ...where])).stdout);
    expect(after.user).toMatchObject({
      id: ADA.id,
      username: `erased-${ADA.id}`,
      displayName: "(erased)",
      email: null,
      badge: null,
      disabled: true,
      passwordSet: false,
    });
    expect(after.sessions).toEqual([]);
    expect(after.evidence).toMatchObject({ subject: null, records: [], notes: [] });
    expect(after.courses).toHaveLength(1); // the course still counts them, anonymously
  }, 60_000);

  it("erases with --yes without asking; unknown users and bad arguments are clear errors", async () => {
    const data = join(dir, "b");
    const trainingDb = join(data, "training.db");
    const ledgerDb = join(data, "library.db");
    await seed(trainingDb, ledgerDb);
    const where = ["--db", trainingDb, "--ledger", ledgerDb];
    const erase = await run(["trainees", "erase", BO.username, "--yes", ...where]);
    expect(erase).toMatchObject({ code: 0, stderr: "" });
    expect(allBytes(data)).not.toContain(BO.displayName);
    expect(allBytes(data)).toContain(ADA.displayName);

    const unknown = await run(["trainees", "export", "nobody", ...where]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no user "nobody" \(give the id or the username\)/);
    const bad = await run(["trainees", "forget", "x", ...where]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown subcommand "forget"/);
    const two = await run(["trainees", "export", ...where]);
    expect(two.stderr).toMatch(/expected exactly one USER/);
    const both = await run(["trainees", "export", "x", "--ledger", ledgerDb, "--config", "config/demo.yaml"]);
    expect(both.stderr).toMatch(/give --ledger or --config, not both/);
  }, 60_000);
});
