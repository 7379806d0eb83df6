import pg from "pg";
import { connectionConfig, inTransaction } from "./postgres-connection.ts";
import { postgresOpenError } from "./postgres-errors.ts";
import { POSTGRES_MIGRATIONS } from "./postgres-schema.ts";
import { courseFromRow, enrolmentFromRow, type Row, sessionFromRow, userFromRow } from "./rows.ts";
import {
  type Course,
  type Enrolment,
  ERASED_DISPLAY_NAME,
  type ErasedUser,
  erasedUsername,
  type NewSession,
  type Session,
  type SessionEndReason,
  type SessionFilter,
  type StartSessionResult,
  StoreConflictError,
  StoreMissingError,
  type TrainingStore,
  type UserPatch,
  type UserRecord,
} from "./types.ts";

// The shared site store: several gateways on one PostgreSQL database. Two
// things differ from SQLite. Concurrency is real, so session starts take a
// transaction-scoped advisory lock (the unique indexes stay as the last
// guard). And a check-in made through another gateway must reach the gateway
// that owns the machine: every session change NOTIFYs a channel that each
// store LISTENs on with one dedicated connection.

const CHANNEL = "maskinport_training_sessions";
/** Arbitrary constants naming our advisory locks (migrations, session starts). */
const MIGRATION_LOCK = 7_262_001;
const SESSION_LOCK = 7_262_002;

export type PostgresStoreOptions = {
  /** Connection problems the pool or the listener meet; they reconnect by themselves. */
  onError?: (err: Error, where: "pool" | "listener") => void;
  poolSize?: number;
  /** How long opening a connection may take (default CONNECT_TIMEOUT_MS; tests make it short). */
  connectTimeoutMs?: number;
};

export class PostgresTrainingStore implements TrainingStore {
  readonly kind = "postgres";
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #opts: PostgresStoreOptions;
  readonly #listeners = new Set<() => void>();
  #listener: pg.Client | undefined;
  #listenerRetry: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(url: string, opts: PostgresStoreOptions) {
    this.#url = url;
    this.#opts = opts;
    this.#pool = new pg.Pool({ ...connectionConfig(url, opts.connectTimeoutMs), max: opts.poolSize ?? 5 });
    // An idle client losing its connection must not crash the gateway.
    this.#pool.on("error", (err) => opts.onError?.(err, "pool"));
  }

  /** Connect and bring the schema up to date (safe when several gateways start at once). */
  static async open(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresTrainingStore> {
    const store = new PostgresTrainingStore(url, opts);
    try {
      await store.#migrate();
      await store.#listen(0);
    } catch (err) {
      await store.close();
      throw postgresOpenError(err, url, "training store");
    }
    return store;
  }

  async #migrate(): Promise<void> {
    await inTransaction(this.#pool, async (c) => {
      await c.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await c.query("CREATE TABLE IF NOT EXISTS training_schema (version INTEGER NOT NULL)");
      const r = await c.query<{ version: number }>("SELECT version FROM training_schema");
      const from = r.rows[0]?.version ?? 0;
      if (r.rows.length === 0) await c.query("INSERT INTO training_schema (version) VALUES (0)");
      if (from > POSTGRES_MIGRATIONS.length) {
        throw new Error(
          `training database schema version ${from} is newer than this Maskinport knows (${POSTGRES_MIGRATIONS.length}): upgrade Maskinport`,
        );
      }
      for (let v = from; v < POSTGRES_MIGRATIONS.length; v++) await c.query(POSTGRES_MIGRATIONS[v]!);
      await c.query("UPDATE training_schema SET version = $1", [POSTGRES_MIGRATIONS.length]);
    });
  }

  async #rows(sql: string, params: unknown[] = [], c: pg.ClientBase | pg.Pool = this.#pool): Promise<Row[]> {
    return (await c.query(sql, params)).rows as Row[];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    clearTimeout(this.#listenerRetry);
    await this.#listener?.end().catch(() => {});
    await this.#pool.end();
  }

  async insertUsers(users: readonly UserRecord[], enrolments: readonly Enrolment[] = []): Promise<void> {
    await inTransaction(this.#pool, async (c) => {
      for (const u of users) {
        try {
          await c.query(
            `INSERT INTO training_users (id, username, display_name, email, role, badge, disabled, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [
              u.id,
              u.username,
              u.displayName,
              u.email,
              u.role,
              u.badge,
              u.disabled,
              u.passwordHash,
              u.createdAt,
              u.updatedAt,
            ],
          );
        } catch (err) {
          throw conflictOf(err, u) ?? err;
        }
      }
      await this.#enrolAll(c, enrolments);
    });
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const [row] = await this.#rows("SELECT * FROM training_users WHERE id = $1", [id]);
    return row && userFromRow(row);
  }

  async findUserByUsername(username: string): Promise<UserRecord | undefined> {
    const [row] = await this.#rows("SELECT * FROM training_users WHERE username = $1", [
      username.toLowerCase(),
    ]);
    return row && userFromRow(row);
  }

  async findUserByBadge(badge: string): Promise<UserRecord | undefined> {
    const [row] = await this.#rows("SELECT * FROM training_users WHERE badge = $1", [badge]);
    return row && userFromRow(row);
  }

  async listUsers(filter: { role?: string; includeDisabled?: boolean } = {}): Promise<UserRecord[]> {
    const rows = await this.#rows(
      `SELECT * FROM training_users WHERE ($1::text IS NULL OR role = $1) AND ($2 OR NOT disabled)
       ORDER BY username COLLATE "C"`,
      [filter.role ?? null, filter.includeDisabled ?? false],
    );
    return rows.map(userFromRow);
  }

  async updateUser(id: string, patch: UserPatch, at: number): Promise<UserRecord | undefined> {
    const column: Record<keyof UserPatch, string> = {
      displayName: "display_name",
      email: "email",
      role: "role",
      badge: "badge",
      disabled: "disabled",
      passwordHash: "password_hash",
    };
    const values: unknown[] = [id, at];
    const sets = ["updated_at = $2"];
    for (const [key, col] of Object.entries(column) as [keyof UserPatch, string][]) {
      if (!(key in patch) || patch[key] === undefined) continue;
      values.push(patch[key]);
      sets.push(`${col} = $${values.length}`);
    }
    try {
      const [row] = await this.#rows(
        `UPDATE training_users SET ${sets.join(", ")} WHERE id = $1 RETURNING *`,
        values,
      );
      return row && userFromRow(row);
    } catch (err) {
      throw conflictOf(err, { id, username: "", badge: patch.badge ?? null }) ?? err;
    }
  }

  async insertCourse(course: Course): Promise<void> {
    try {
      await this.#pool.query(
        "INSERT INTO training_courses (id, name, start_date, end_date, created_at) VALUES ($1, $2, $3, $4, $5)",
        [course.id, course.name, course.startDate, course.endDate, course.createdAt],
      );
    } catch (err) {
      throw conflictOf(err, { id: course.id, username: "", badge: null }) ?? err;
    }
  }

  async getCourse(id: string): Promise<Course | undefined> {
    const [row] = await this.#rows("SELECT * FROM training_courses WHERE id = $1", [id]);
    return row && courseFromRow(row);
  }

  async listCourses(): Promise<Course[]> {
    return (await this.#rows('SELECT * FROM training_courses ORDER BY start_date, name COLLATE "C"')).map(
      courseFromRow,
    );
  }

  async enrol(enrolments: readonly Enrolment[]): Promise<void> {
    await inTransaction(this.#pool, (c) => this.#enrolAll(c, enrolments));
  }

  async #enrolAll(c: pg.PoolClient, enrolments: readonly Enrolment[]): Promise<void> {
    for (const e of enrolments) {
      try {
        await c.query(
          `INSERT INTO training_enrolments (course_id, user_id, role, enrolled_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (course_id, user_id) DO UPDATE SET role = excluded.role`,
          [e.courseId, e.userId, e.role, e.enrolledAt],
        );
      } catch (err) {
        if ((err as { code?: string }).code === "23503")
          throw new StoreMissingError(`course ${e.courseId} or user ${e.userId}`);
        throw err;
      }
    }
  }

  async unenrol(courseId: string, userId: string): Promise<boolean> {
    const r = await this.#pool.query(
      "DELETE FROM training_enrolments WHERE course_id = $1 AND user_id = $2",
      [courseId, userId],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async listEnrolments(filter: { courseId?: string; userId?: string }): Promise<Enrolment[]> {
    return (
      await this.#rows(
        `SELECT * FROM training_enrolments WHERE ($1::text IS NULL OR course_id = $1) AND ($2::text IS NULL OR user_id = $2)
         ORDER BY course_id COLLATE "C", role COLLATE "C", enrolled_at, user_id COLLATE "C"`,
        [filter.courseId ?? null, filter.userId ?? null],
      )
    ).map(enrolmentFromRow);
  }

  async startSession(s: NewSession, onOccupied: "refuse" | "takeover"): Promise<StartSessionResult> {
    return inTransaction(this.#pool, async (c): Promise<StartSessionResult> => {
      // Serialise starts site-wide: check-ins are a few per minute, so one lock costs nothing.
      await c.query("SELECT pg_advisory_xact_lock($1)", [SESSION_LOCK]);
      const open = async (col: "machine" | "user_id", v: string) => {
        const [row] = await this.#rows(
          `SELECT * FROM training_sessions WHERE ended_at IS NULL AND ${col} = $1`,
          [v],
          c,
        );
        return row && sessionFromRow(row);
      };
      const holder = await open("machine", s.machine);
      if (holder && holder.userId === s.userId)
        return { ok: true, session: holder, ended: [], already: true };
      if (holder && onOccupied === "refuse") return { ok: false, reason: "occupied", holder };
      const ended: Session[] = [];
      if (holder) ended.push(await this.#close(c, holder.id, s.startedAt, "takeover", s.startedBy));
      const elsewhere = await open("user_id", s.userId);
      if (elsewhere) ended.push(await this.#close(c, elsewhere.id, s.startedAt, "moved", s.startedBy));
      await c.query(
        `INSERT INTO training_sessions (id, machine, user_id, started_at, source, started_by)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [s.id, s.machine, s.userId, s.startedAt, s.source, s.startedBy],
      );
      await c.query("SELECT pg_notify($1, $2)", [CHANNEL, s.id]);
      const session: Session = { ...s, endedAt: null, endReason: null, endedBy: null };
      return { ok: true, session, ended, already: false };
    });
  }

  async #close(
    c: pg.ClientBase,
    id: string,
    at: number,
    reason: SessionEndReason,
    endedBy: string | null,
  ): Promise<Session> {
    const [row] = await this.#rows(
      `UPDATE training_sessions SET ended_at = GREATEST($2::bigint, started_at), end_reason = $3, ended_by = $4
       WHERE id = $1 AND ended_at IS NULL RETURNING *`,
      [id, at, reason, endedBy],
      c,
    );
    if (!row) throw new Error(`session ${id} is not open`);
    return sessionFromRow(row);
  }

  async eraseUser(id: string, at: number): Promise<ErasedUser | undefined> {
    return inTransaction(this.#pool, async (c) => {
      const sessions = await c.query("DELETE FROM training_sessions WHERE user_id = $1", [id]);
      const [row] = await this.#rows(
        `UPDATE training_users SET username = $2, display_name = $3, email = NULL, badge = NULL,
           password_hash = NULL, disabled = TRUE, updated_at = $4 WHERE id = $1 RETURNING *`,
        [id, erasedUsername(id), ERASED_DISPLAY_NAME, at],
        c,
      );
      if (!row) return undefined;
      const sessionsDeleted = sessions.rowCount ?? 0;
      // Other gateways drop the erased trainee's open session from their machines.
      if (sessionsDeleted > 0) await c.query("SELECT pg_notify($1, $2)", [CHANNEL, id]);
      return { user: userFromRow(row), sessionsDeleted };
    });
  }

  async deleteSessionsEndedBefore(ts: number): Promise<number> {
    const r = await this.#pool.query(
      "DELETE FROM training_sessions WHERE ended_at IS NOT NULL AND ended_at < $1",
      [ts],
    );
    return r.rowCount ?? 0;
  }

  async endSession(
    id: string,
    at: number,
    reason: SessionEndReason,
    endedBy: string | null,
  ): Promise<Session | undefined> {
    return inTransaction(this.#pool, async (c) => {
      const [row] = await this.#rows(
        `UPDATE training_sessions SET ended_at = GREATEST($2::bigint, started_at), end_reason = $3, ended_by = $4
         WHERE id = $1 AND ended_at IS NULL RETURNING *`,
        [id, at, reason, endedBy],
        c,
      );
      if (!row) return undefined;
      await c.query("SELECT pg_notify($1, $2)", [CHANNEL, id]);
      return sessionFromRow(row);
    });
  }

  async getSession(id: string): Promise<Session | undefined> {
    const [row] = await this.#rows("SELECT * FROM training_sessions WHERE id = $1", [id]);
    return row && sessionFromRow(row);
  }

  async openSessions(): Promise<Session[]> {
    return (
      await this.#rows('SELECT * FROM training_sessions WHERE ended_at IS NULL ORDER BY machine COLLATE "C"')
    ).map(sessionFromRow);
  }

  async listSessions(f: SessionFilter = {}): Promise<Session[]> {
    return (
      await this.#rows(
        `SELECT * FROM training_sessions
         WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR machine = $2)
           AND ($3::bigint IS NULL OR ended_at IS NULL OR ended_at > $3) AND ($4::bigint IS NULL OR started_at < $4)
         ORDER BY started_at DESC, id COLLATE "C" LIMIT $5`,
        [f.userId ?? null, f.machine ?? null, f.from ?? null, f.to ?? null, f.limit ?? 1000],
      )
    ).map(sessionFromRow);
  }

  onSessionsChanged(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * One connection that LISTENs, opened with the store so that no change made
   * after open() is missed. On loss it reconnects with backoff and then
   * reports a change, since something may have happened meanwhile.
   */
  async #listen(attempt: number): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client(connectionConfig(this.#url, this.#opts.connectTimeoutMs));
    this.#listener = client;
    let failed = false;
    const retry = (err: Error) => {
      if (failed || this.#closed || this.#listener !== client) return;
      failed = true;
      this.#opts.onError?.(err, "listener");
      client.end().catch(() => {});
      const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
      this.#listenerRetry = setTimeout(() => {
        this.#listen(attempt + 1).catch(() => {});
      }, delay);
      this.#listenerRetry.unref();
    };
    client.on("error", retry);
    client.on("end", () => retry(new Error("LISTEN connection ended")));
    client.on("notification", () => this.#changed());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      if (attempt === 0) throw err;
      retry(err as Error);
      return;
    }
    if (attempt > 0) this.#changed();
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }
}

function conflictOf(
  err: unknown,
  u: { id: string; username: string; badge: string | null },
): StoreConflictError | undefined {
  const e = err as { code?: string; constraint?: string };
  if (e.code !== "23505") return undefined;
  if (e.constraint?.endsWith("username_key")) return new StoreConflictError("username", u.username);
  if (e.constraint?.endsWith("badge_key")) return new StoreConflictError("badge", u.badge ?? "");
  return new StoreConflictError("id", u.id);
}
