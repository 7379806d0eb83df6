import pg from "pg";
import { connectionConfig, inTransaction } from "../../training/store/postgres-connection.ts";
import { postgresOpenError } from "../../training/store/postgres-errors.ts";
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

export type PostgresSessionStoreOptions = Partial<SessionTimeouts> & {
  now?: () => number;
  /** An idle pooled connection the server dropped (restart, failover); the pool reconnects by itself. */
  onError?: (err: Error) => void;
  poolSize?: number;
  /** How long opening a connection may take (default CONNECT_TIMEOUT_MS; tests make it short). */
  connectTimeoutMs?: number;
};

/** Arbitrary constant naming the advisory lock under which the table is created (next to the training store's). */
const SCHEMA_LOCK = 7_262_003;

type Row = {
  user_id: string;
  role: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
};

/**
 * Login sessions in the site's PostgreSQL (training.postgres.url), so every
 * gateway on that database knows a login made on any of them, a restart logs
 * nobody out, and `maskinport users disable` ends a person's logins wherever
 * they are. The same rules as SqliteSessionStore: only the SHA-256 of each
 * token is stored, a session ends after the idle timeout or at its maximum
 * age, dead rows go whenever someone logs in. Times come from this process's
 * clock (`now`), as in the other stores, so tests can move it.
 */
export class PostgresSessionStore implements WebSessionStore {
  readonly #pool: pg.Pool;
  readonly #timeouts: SessionTimeouts;
  readonly #now: () => number;
  #closed = false;

  private constructor(url: string, options: PostgresSessionStoreOptions) {
    // Few connections: a session lookup is one short statement per request.
    this.#pool = new pg.Pool({
      ...connectionConfig(url, options.connectTimeoutMs),
      max: options.poolSize ?? 3,
    });
    // Without a listener an idle client's error would be an uncaught 'error' event and end the gateway.
    this.#pool.on("error", (err) => options.onError?.(err));
    this.#timeouts = {
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_SESSION_TIMEOUTS.idleTimeoutMs,
      maxAgeMs: options.maxAgeMs ?? DEFAULT_SESSION_TIMEOUTS.maxAgeMs,
    };
    this.#now = options.now ?? Date.now;
  }

  /** Connect and create the table if missing (safe when several gateways start at once). */
  static async open(url: string, options: PostgresSessionStoreOptions = {}): Promise<PostgresSessionStore> {
    const store = new PostgresSessionStore(url, options);
    try {
      await store.#createTable();
    } catch (err) {
      await store.close();
      throw postgresOpenError(err, url, "web sessions");
    }
    return store;
  }

  async #createTable(): Promise<void> {
    // Its own table, outside the training schema's numbered migrations (as in SQLite): it needs
    // nothing from them. IF NOT EXISTS alone races when two gateways start at once (both may
    // pass the check and one fails on the catalogue), hence the lock, as the training store's.
    await inTransaction(this.#pool, async (c) => {
      await c.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
      await c.query(`CREATE TABLE IF NOT EXISTS web_sessions (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        role TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      )`);
      await c.query("CREATE INDEX IF NOT EXISTS web_sessions_user ON web_sessions (user_id)");
    });
  }

  async create(user: AuthenticatedUser): Promise<{ token: string; session: WebSession }> {
    assertKnownRole(user);
    const now = this.#now();
    // Dead sessions go whenever someone logs in: the table holds a day's logins at most.
    await this.#pool.query("DELETE FROM web_sessions WHERE expires_at <= $1 OR last_seen_at <= $2", [
      now,
      now - this.#timeouts.idleTimeoutMs,
    ]);
    const token = newToken();
    const session = startedSession(user, now, this.#timeouts);
    await this.#pool.query(
      "INSERT INTO web_sessions (token_hash, user_id, role, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      [hashToken(token), session.userId, session.role, session.csrfToken, now, now, session.expiresAt],
    );
    return { token, session };
  }

  async touch(token: string): Promise<WebSession | undefined> {
    const key = hashToken(token);
    const now = this.#now();
    // One statement finds a live session and restarts its idle clock, so two gateways touching
    // at once cannot revive one the other just found dead. GREATEST: a gateway whose clock is a
    // little behind must not move another's later touch back.
    const r = await this.#pool.query<Row>(
      `UPDATE web_sessions SET last_seen_at = GREATEST(last_seen_at, $2)
       WHERE token_hash = $1 AND expires_at > $2 AND last_seen_at > $3
       RETURNING user_id, role, csrf_token, created_at, last_seen_at, expires_at`,
      [key, now, now - this.#timeouts.idleTimeoutMs],
    );
    const row = r.rows[0];
    // A role the code no longer knows (an edited row) is no session at all; nor is a dead one.
    if (row === undefined || !isRole(row.role)) {
      await this.#pool.query("DELETE FROM web_sessions WHERE token_hash = $1", [key]);
      return undefined;
    }
    return {
      userId: row.user_id,
      role: row.role,
      csrfToken: row.csrf_token,
      createdAt: Number(row.created_at),
      lastSeenAt: Number(row.last_seen_at),
      expiresAt: Number(row.expires_at),
    };
  }

  async destroy(token: string): Promise<void> {
    await this.#pool.query("DELETE FROM web_sessions WHERE token_hash = $1", [hashToken(token)]);
  }

  async destroyUser(userId: string): Promise<number> {
    const now = this.#now();
    // Every row of the user goes; only the live ones count as logins ended.
    const r = await this.#pool.query<{ live: boolean }>(
      "DELETE FROM web_sessions WHERE user_id = $1 RETURNING (expires_at > $2 AND last_seen_at > $3) AS live",
      [userId, now, now - this.#timeouts.idleTimeoutMs],
    );
    return r.rows.filter((row) => row.live).length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
