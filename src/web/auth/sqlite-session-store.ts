import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { AuthenticatedUser } from "./authenticator.ts";
import { isRole } from "./roles.ts";
import {
  assertKnownRole,
  DEFAULT_SESSION_TIMEOUTS,
  type SessionTimeouts,
  startedSession,
  type WebSession,
  type WebSessionStore,
} from "./session-store.ts";
import { hashToken, newToken } from "./session-token.ts";

export type SqliteSessionStoreOptions = Partial<SessionTimeouts> & { now?: () => number };

type Row = {
  user_id: string;
  role: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
};

/**
 * Login sessions in a SQLite file (the gateway puts them next to its users,
 * in the training store's file), so a gateway restart does not log the whole
 * workshop out. Like the memory store it keeps only the SHA-256 of each
 * token: reading the file (a backup, a copied disk) hands out no session.
 * Its own table, created if missing: it needs nothing from the training
 * store's migrations.
 */
export class SqliteSessionStore implements WebSessionStore {
  readonly #db: DatabaseSync;
  readonly #timeouts: SessionTimeouts;
  readonly #now: () => number;

  constructor(path: string, options: SqliteSessionStoreOptions = {}) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;");
    this.#db.exec(`CREATE TABLE IF NOT EXISTS web_sessions (
      token_hash TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      role TEXT NOT NULL,
      csrf_token TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_seen_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS web_sessions_user ON web_sessions (user_id);`);
    this.#timeouts = {
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_SESSION_TIMEOUTS.idleTimeoutMs,
      maxAgeMs: options.maxAgeMs ?? DEFAULT_SESSION_TIMEOUTS.maxAgeMs,
    };
    this.#now = options.now ?? Date.now;
  }

  async create(user: AuthenticatedUser): Promise<{ token: string; session: WebSession }> {
    assertKnownRole(user);
    const now = this.#now();
    // Dead sessions go whenever someone logs in: the table holds a day's logins at most.
    this.#db
      .prepare("DELETE FROM web_sessions WHERE expires_at <= ? OR last_seen_at <= ?")
      .run(now, now - this.#timeouts.idleTimeoutMs);
    const token = newToken();
    const session = startedSession(user, now, this.#timeouts);
    this.#db
      .prepare(
        "INSERT INTO web_sessions (token_hash, user_id, role, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(hashToken(token), session.userId, session.role, session.csrfToken, now, now, session.expiresAt);
    return { token, session };
  }

  async touch(token: string): Promise<WebSession | undefined> {
    const key = hashToken(token);
    const row = this.#db.prepare("SELECT * FROM web_sessions WHERE token_hash = ?").get(key) as
      | Row
      | undefined;
    if (row === undefined) return undefined;
    const now = this.#now();
    const alive = now < row.expires_at && now - row.last_seen_at < this.#timeouts.idleTimeoutMs;
    // A role the code no longer knows (an edited file) is no session at all.
    if (!alive || !isRole(row.role)) {
      this.#db.prepare("DELETE FROM web_sessions WHERE token_hash = ?").run(key);
      return undefined;
    }
    this.#db.prepare("UPDATE web_sessions SET last_seen_at = ? WHERE token_hash = ?").run(now, key);
    return {
      userId: row.user_id,
      role: row.role,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      lastSeenAt: now,
      expiresAt: row.expires_at,
    };
  }

  async destroy(token: string): Promise<void> {
    this.#db.prepare("DELETE FROM web_sessions WHERE token_hash = ?").run(hashToken(token));
  }

  async destroyUser(userId: string): Promise<number> {
    const now = this.#now();
    // Every row of the user goes; only the live ones count as logins ended.
    const rows = this.#db
      .prepare(
        "DELETE FROM web_sessions WHERE user_id = ? RETURNING (expires_at > ? AND last_seen_at > ?) AS live",
      )
      .all(userId, now, now - this.#timeouts.idleTimeoutMs) as { live: number }[];
    return rows.filter((row) => row.live === 1).length;
  }

  close(): void {
    this.#db.close();
  }
}
