import { createInterface } from "node:readline";
import { ConfigError } from "../config/load.ts";
import { CatalogueError, loadCatalogueFolder } from "../evidence/catalogue/load.ts";
import { EvidenceService } from "../evidence/service.ts";
import { openTrainingStore } from "../training/store/open.ts";
import { PostgresUnavailableError } from "../training/store/postgres-errors.ts";
import type { TrainingStore, UserRecord } from "../training/store/types.ts";
import { openStore as openLedger, UsageError } from "./evidence.ts";
import {
  type CliIo,
  endWebLogins,
  readSubcommandLine,
  STORE_USAGE,
  type StoreLocation,
  StoreLocationError,
  say,
  storeLocationFromArgs,
  webLoginsEnded,
} from "./training-cli-common.ts";

// `maskinport trainees export|erase ID`: the GDPR access request and erasure
// for one person, across the two places that hold them: the training store
// (name, username, e-mail, badge, sessions) and the evidence ledger (records
// under a keyed pseudonym, notes). Design: docs/privacy.md.

const USAGE = `Usage:
  maskinport trainees export USER [--out FILE]
      everything held about one person as JSON: user (no password hash), courses,
      sessions, evidence records with marks, note texts
  maskinport trainees erase USER [--yes]
      remove their personal data: name, username, e-mail, badge and sessions from the
      training store, their evidence key and notes from the ledger (records stay,
      anonymous; the chain still verifies), and end their web logins. Asks for
      confirmation unless --yes.
USER = id or username.
${STORE_USAGE}
Ledger: --ledger FILE (SQLite), or --config FILE (its library.path; default
       config/demo.yaml); with --postgres the ledger is in the same database.
Catalogue: --catalogue DIR (default: the config's, else config/competence).`;

const OPTIONS = {
  db: { type: "string" },
  postgres: { type: "string" },
  ledger: { type: "string" },
  config: { type: "string" },
  catalogue: { type: "string" },
  out: { type: "string" },
  yes: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = {
  db?: string;
  postgres?: string;
  ledger?: string;
  config?: string;
  catalogue?: string;
  out?: string;
  yes?: boolean;
};

type Opened = {
  store: TrainingStore;
  /** Where the store is: the web sessions are beside it. */
  where: StoreLocation;
  evidence: EvidenceService;
  close(): Promise<void>;
};

async function open(v: Values): Promise<Opened> {
  const postgres = v.postgres ?? (process.env.MASKINPORT_TRAINING_POSTGRES_URL || undefined);
  if (v.ledger && v.config) throw new UsageError("give --ledger or --config, not both");
  const ledger = await openLedger({
    ...(v.ledger ? { db: v.ledger } : postgres && !v.config ? { postgres } : { config: v.config }),
    ...(v.catalogue ? { catalogue: v.catalogue } : {}),
  });
  try {
    const where = storeLocationFromArgs({ db: v.db, postgres, config: v.config });
    const store = await openTrainingStore(where);
    const evidence = new EvidenceService({
      store: ledger.store,
      catalogue: loadCatalogueFolder(ledger.catalogueDir),
    });
    return {
      store,
      where,
      evidence,
      close: async () => {
        await store.close();
        await ledger.store.close();
      },
    };
  } catch (err) {
    await ledger.store.close();
    throw err;
  }
}

async function findUser(store: TrainingStore, ref: string): Promise<UserRecord | undefined> {
  return (await store.getUser(ref)) ?? (await store.findUserByUsername(ref));
}

/** Everything held about one person (the access request, GDPR art. 15). */
async function exportPerson(o: Opened, user: UserRecord) {
  const { passwordHash: _hash, ...profile } = user;
  const enrolments = await o.store.listEnrolments({ userId: user.id });
  const courses = [];
  for (const e of enrolments) {
    const c = await o.store.getCourse(e.courseId);
    courses.push({ ...c, role: e.role, enrolledAt: e.enrolledAt });
  }
  const sessions = await o.store.listSessions({ userId: user.id, limit: 1_000_000 });
  const evidence = await o.evidence.exportOf(user.id);
  const marks = [...(await o.evidence.marksOf(user.id)).values()]
    .filter((s) => s.mark !== "none")
    .map(({ recorded: _recorded, progress, ...s }) => ({
      ...s,
      progress: progress.map((p) => ({ have: p.have, need: p.need, met: p.met })),
    }));
  return {
    exportedAt: new Date().toISOString(),
    user: { ...profile, passwordSet: user.passwordHash !== null },
    courses,
    sessions,
    evidence: { subject: evidence.subject ?? null, marks, records: evidence.records, notes: evidence.notes },
  };
}

async function confirm(io: CliIo, user: UserRecord): Promise<boolean> {
  io.stderr.write(
    `Erase ${user.id} (${user.role}): name, username, e-mail, badge, sessions, web logins, evidence key and notes.\n` +
      "Evidence records stay, anonymous. This cannot be undone. Type yes to erase: ",
  );
  const rl = createInterface({ input: io.stdin, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line.trim().toLowerCase() === "yes";
  }
  return false;
}

export async function traineesCli(argv: string[], io: CliIo = process): Promise<number> {
  const line = readSubcommandLine("trainees", USAGE, OPTIONS, argv, io);
  if (typeof line === "number") return line;
  const { values, sub, args, usageError } = line;
  if (sub !== "export" && sub !== "erase") return usageError(`unknown subcommand "${sub}"`);
  if (args.length !== 1) return usageError("expected exactly one USER (id or username)");

  let o: Opened;
  try {
    o = await open(values);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message);
    if (err instanceof StoreLocationError || err instanceof PostgresUnavailableError) {
      say(io.stderr, `maskinport trainees: ${err.message}`);
      return 1;
    }
    if (err instanceof ConfigError || err instanceof CatalogueError) {
      say(io.stderr, err.message);
      return 1;
    }
    throw err;
  }
  try {
    const user = await findUser(o.store, args[0]!);
    if (!user) {
      say(io.stderr, `maskinport trainees ${sub}: no user "${args[0]}" (give the id or the username)`);
      return 1;
    }
    if (sub === "export") {
      const json = `${JSON.stringify(await exportPerson(o, user), null, 2)}\n`;
      if (values.out) {
        const { writeFileSync } = await import("node:fs");
        writeFileSync(values.out, json, { mode: 0o600 });
        say(io.stdout, `wrote ${values.out}`);
      } else io.stdout.write(json);
      return 0;
    }
    if (!values.yes && !(await confirm(io, user))) {
      say(io.stderr, "not erased");
      return 1;
    }
    const now = Date.now();
    // Evidence first: if the store step then fails, running erase again finishes it (both are idempotent).
    const evidence = await o.evidence.erase(user.id, "request", now);
    const erased = await o.store.eraseUser(user.id, now);
    // A person erased is no longer someone who can be logged in, on any gateway.
    const loginsEnded = await endWebLogins(o.where, user.id);
    say(
      io.stdout,
      `erased ${user.id}: ${
        evidence
          ? `evidence subject ${evidence.subject} is anonymous (${evidence.notesDeleted} notes deleted)`
          : "no evidence key (nothing to unlink)"
      }; ${erased?.sessionsDeleted ?? 0} sessions deleted; ${webLoginsEnded(loginsEnded)}; user row anonymised and disabled`,
    );
    return 0;
  } finally {
    await o.close();
  }
}
