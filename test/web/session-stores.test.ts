// The session store contract for all three stores, and what only the shared
// PostgreSQL store has to show: two gateways on one database share logins,
// a dropped idle connection does not end the process, and an unreachable
// server is reported with its URL (no password) and the fix.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { PostgresUnavailableError } from "../../src/training/store/postgres-errors.ts";
import { MemorySessionStore } from "../../src/web/auth/memory-session-store.ts";
import { openSessionStore } from "../../src/web/auth/open-session-store.ts";
import { PostgresSessionStore } from "../../src/web/auth/postgres-session-store.ts";
import { SqliteSessionStore } from "../../src/web/auth/sqlite-session-store.ts";
import { freePort, waitFor } from "../support/ports.ts";
import { postgresForFile } from "../support/postgres-for-file.ts";
import { sessionStoreContract } from "./session-store-contract.ts";

// One PostgreSQL for the file (a missing PostgreSQL fails here, loudly); the
// contract's stores share its database, each test with its own user ids.
const server = postgresForFile();

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

sessionStoreContract("memory", { open: async (options) => new MemorySessionStore(options) });

const sqliteFile = join(mkdtempSync(join(tmpdir(), "mp-session-stores-")), "training.db");
sessionStoreContract("SQLite", {
  open: async (options) => new SqliteSessionStore(sqliteFile, options),
  // The rows, as another reader of the file sees them (the file's bytes: sqlite-session-store.test.ts).
  stored: async () => {
    const db = new DatabaseSync(sqliteFile, { readOnly: true });
    try {
      return JSON.stringify(db.prepare("SELECT * FROM web_sessions").all());
    } finally {
      db.close();
    }
  },
});

sessionStoreContract("PostgreSQL", {
  open: (options) => PostgresSessionStore.open(server.url, options),
  stored: async () =>
    (await query<{ t: string }>("SELECT web_sessions::text AS t FROM web_sessions"))
      .map((r) => r.t)
      .join("\n"),
});

describe("PostgresSessionStore", () => {
  it("shares logins between two gateways, and ends them everywhere", async () => {
    // Both start at once on a database that has no table yet.
    const fresh = `mp_sessions_${Date.now().toString(36)}`;
    await query(`CREATE DATABASE ${fresh}`);
    const url = new URL(server.url);
    url.pathname = `/${fresh}`;
    const [a, b] = await Promise.all([
      PostgresSessionStore.open(url.toString()),
      PostgresSessionStore.open(url.toString()),
    ]);
    try {
      const user = { userId: "u-shared", role: "trainee" as const };
      const onA = await a.create(user);
      expect(await b.touch(onA.token)).toMatchObject({ ...user, csrfToken: onA.session.csrfToken });
      await b.create(user);
      expect(await b.destroyUser(user.userId)).toBe(2);
      expect(await a.touch(onA.token)).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
      await query(`DROP DATABASE ${fresh} WITH (FORCE)`);
    }
  });

  it("treats a row with a role the code does not know as no session", async () => {
    const store = await PostgresSessionStore.open(server.url);
    try {
      const { token } = await store.create({ userId: "u-edited", role: "trainee" });
      await query("UPDATE web_sessions SET role = 'superuser' WHERE user_id = 'u-edited'");
      expect(await store.touch(token)).toBeUndefined();
      expect(await query("SELECT 1 FROM web_sessions WHERE user_id = 'u-edited'")).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("survives the server dropping an idle connection: reported, then reconnected", async () => {
    const errors: Error[] = [];
    const store = await PostgresSessionStore.open(server.url, { onError: (err) => errors.push(err) });
    try {
      const { token } = await store.create({ userId: "u-dropped", role: "admin" });
      // The pool now holds an idle connection; end it from the server's side, as a restart would.
      await query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'",
      );
      await waitFor("the pool to report the dropped connection", async () => errors.length > 0);
      expect(await store.touch(token)).toMatchObject({ userId: "u-dropped" });
    } finally {
      await store.close();
    }
  });

  it("says which server it cannot reach and what to do, without the password", async () => {
    const port = await freePort(); // nothing listens there
    const url = `postgres://gateway:s3cret-pw@127.0.0.1:${port}/maskinport`;
    const refused = await openSessionStore({ path: "unused.db", postgres: { url } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PostgresUnavailableError);
    const message = (refused as Error).message;
    expect(message).toMatch(
      new RegExp(`^web sessions: PostgreSQL at postgres://127\\.0\\.0\\.1:${port}/maskinport is unreachable`),
    );
    expect(message).toMatch(/check that PostgreSQL runs .*training\.postgres\.url/);
    expect(message).not.toContain("s3cret-pw");
  });
});
