// `maskinport users disable`, `users reset-password` and `trainees erase`, as
// processes, end the person's web logins in the session store the gateways
// use (beside the training store: the SQLite file, or the site's PostgreSQL),
// say how many, and leave everyone else logged in.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/training/people/users.ts";
import { openTrainingStore } from "../../src/training/store/open.ts";
import { openSessionStore } from "../../src/web/auth/open-session-store.ts";
import type { Role } from "../../src/web/auth/roles.ts";
import { postgresForFile } from "../support/postgres-for-file.ts";
import { runMaskinport } from "./support/run-maskinport.ts";

const dir = mkdtempSync(join(tmpdir(), "mp-web-logins-"));
const server = postgresForFile();
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Location = { path: string; postgres?: { url: string } };

/** How the store is named on the command line; `trainees` also needs the ledger (with --postgres it is in the same database). */
const kinds: { name: string; where: () => Location; args: () => string[]; ledger: () => string[] }[] = [
  {
    name: "SQLite",
    where: () => ({ path: join(dir, "training.db") }),
    args: () => ["--db", join(dir, "training.db")],
    ledger: () => ["--ledger", join(dir, "library.db")],
  },
  {
    name: "PostgreSQL",
    where: () => ({ path: "unused.db", postgres: { url: server.url } }),
    args: () => ["--postgres", server.url],
    ledger: () => [],
  },
];

describe.each(kinds)("the CLI ends web logins ($name)", ({ where, args, ledger }) => {
  /** Web logins of each user, as a gateway would have made them; returns their tokens. */
  async function logIn(...users: { id: string; role: Role }[]): Promise<string[]> {
    const sessions = await openSessionStore(where());
    try {
      const tokens: string[] = [];
      for (const u of users) tokens.push((await sessions.create({ userId: u.id, role: u.role })).token);
      return tokens;
    } finally {
      await sessions.close();
    }
  }

  async function stillLoggedIn(tokens: string[]): Promise<boolean[]> {
    const sessions = await openSessionStore(where());
    try {
      const out: boolean[] = [];
      for (const t of tokens) out.push((await sessions.touch(t)) !== undefined);
      return out;
    } finally {
      await sessions.close();
    }
  }

  it("on disable, password reset and erasure, and only that person's", async () => {
    const store = await openTrainingStore(where());
    const users = new UserService(store, { scrypt: { logN: 10, r: 8, p: 1 } });
    const add = async (username: string, role: "trainee" | "instructor") =>
      (await users.add({ username, displayName: `Person ${username}`, role })).user;
    const ola = await add("ola", "trainee");
    const per = await add("per", "instructor");
    const kim = await add("kim", "trainee");
    await store.close();
    const [ola1, ola2, per1, kim1] = await logIn(ola, ola, per, kim);

    const disable = await runMaskinport(["users", "disable", "ola", ...args()]);
    expect(disable).toMatchObject({ code: 0, stdout: "disabled ola; 2 web logins ended\n", stderr: "" });
    expect(await stillLoggedIn([ola1!, ola2!, per1!, kim1!])).toEqual([false, false, true, true]);

    const reset = await runMaskinport(
      ["users", "reset-password", "per", "--password-stdin", ...args()],
      "a-new-long-password\n",
    );
    expect(reset).toMatchObject({ code: 0, stdout: "new password set for per; 1 web login ended\n" });
    expect(await stillLoggedIn([per1!, kim1!])).toEqual([false, true]);

    const erase = await runMaskinport(["trainees", "erase", "kim", "--yes", ...args(), ...ledger()]);
    expect(erase.stderr).toBe("");
    expect(erase.stdout).toMatch(/; 1 web login ended; user row anonymised and disabled\n$/);
    expect(await stillLoggedIn([kim1!])).toEqual([false]);

    // Nobody left to log out: said as such, not an error.
    const again = await runMaskinport(["users", "disable", "ola", ...args()]);
    expect(again).toMatchObject({ code: 0, stdout: "disabled ola; 0 web logins ended\n" });
  });
});

describe("the CLI and an unreachable PostgreSQL", () => {
  it("names the server without its password and says what to check (exit 1, no stack trace)", async () => {
    const url = "postgres://gateway:s3cret-pw@127.0.0.1:1/maskinport";
    const run = await runMaskinport(["users", "disable", "ola", "--postgres", url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "maskinport users: training store: PostgreSQL at postgres://127.0.0.1:1/maskinport is unreachable " +
        "(connect ECONNREFUSED 127.0.0.1:1): check that PostgreSQL runs and accepts connections from this machine, " +
        "and training.postgres.url in the site config (for the CLI: MASKINPORT_TRAINING_POSTGRES_URL or --postgres)\n",
    );
  });

  it("says the same for the evidence ledger, from `evidence verify` and `trainees erase`", async () => {
    const url = "postgres://gateway:s3cret-pw@127.0.0.1:1/maskinport";
    for (const argv of [
      ["evidence", "verify", "--postgres", url],
      ["trainees", "erase", "ola", "--yes", "--postgres", url],
    ]) {
      const run = await runMaskinport(argv);
      expect(run.code, argv.join(" ")).toBe(1);
      expect(run.stderr).toContain(
        "evidence ledger: PostgreSQL at postgres://127.0.0.1:1/maskinport is unreachable (connect ECONNREFUSED 127.0.0.1:1)",
      );
      expect(run.stderr).not.toContain("s3cret");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
