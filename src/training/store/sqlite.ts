import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { courseFromRow, enrolmentFromRow, type Row, sessionFromRow, userFromRow } from "./rows.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-schema.ts";
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

/**
 * The embedded store: one SQLite file (WAL, so readers never wait for the
 * writer). node:sqlite is synchronous; the async methods only make it fit
 * the interface. A transaction is atomic by construction here, since nothing
 * else runs on the event loop between BEGIN and COMMIT.
 */
export class SqliteTrainingStore implements TrainingStore {
  readonly kind = "sqlite";
  readonly #db: DatabaseSync;
  readonly #listeners = new Set<() => void>();

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    // secure_delete: deleted and overwritten rows are zeroed in the file, so an erased name is
    // gone from the disk and not only from the table (the file holds personal data).
    this.#db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA secure_delete = ON;",
    );
    this.#migrate();
  }

  #migrate(): void {
    const row = this.#db.prepare("PRAGMA user_version").get() as { user_version: number };
    const from = row.user_version;
    if (from > SQLITE_MIGRATIONS.length) {
      throw new Error(
        `training database schema version ${from} is newer than this Maskinport knows (${SQLITE_MIGRATIONS.length}): upgrade Maskinport`,
      );
    }
    for (let v = from; v < SQLITE_MIGRATIONS.length; v++) {
      this.#tx(() => {
        this.#db.exec(SQLITE_MIGRATIONS[v]!);
        this.#db.exec(`PRAGMA user_version = ${v + 1}`);
      });
    }
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.#db.exec("COMMIT");
      return out;
    } catch (err) {
      this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  #all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.#db.prepare(sql).all(...params) as Row[];
  }

  #get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#db.prepare(sql).get(...params) as Row | undefined;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    if (this.#db.isOpen) this.#db.close();
  }

  async insertUsers(users: readonly UserRecord[], enrolments: readonly Enrolment[] = []): Promise<void> {
    const insert = this.#db.prepare(
      `INSERT INTO training_users (id, username, display_name, email, role, badge, disabled, password_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#tx(() => {
      for (const u of users) {
        try {
          insert.run(
            u.id,
            u.username,
            u.displayName,
            u.email,
            u.role,
            u.badge,
            u.disabled ? 1 : 0,
            u.passwordHash,
            u.createdAt,
            u.updatedAt,
          );
        } catch (err) {
          throw conflictOf(err, u) ?? err;
        }
      }
      this.#enrolAll(enrolments);
    });
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const row = this.#get("SELECT * FROM training_users WHERE id = ?", id);
    return row && userFromRow(row);
  }

  async findUserByUsername(username: string): Promise<UserRecord | undefined> {
    const row = this.#get("SELECT * FROM training_users WHERE username = ?", username.toLowerCase());
    return row && userFromRow(row);
  }

  async findUserByBadge(badge: string): Promise<UserRecord | undefined> {
    const row = this.#get("SELECT * FROM training_users WHERE badge = ?", badge);
    return row && userFromRow(row);
  }

  async listUsers(filter: { role?: string; includeDisabled?: boolean } = {}): Promise<UserRecord[]> {
    const rows = this.#all(
      `SELECT * FROM training_users WHERE (? IS NULL OR role = ?) AND (? = 1 OR disabled = 0) ORDER BY username`,
      filter.role ?? null,
      filter.role ?? null,
      filter.includeDisabled ? 1 : 0,
    );
    return rows.map(userFromRow);
  }

  async updateUser(id: string, patch: UserPatch, at: number): Promise<UserRecord | undefined> {
    const sets: string[] = ["updated_at = ?"];
    const values: SQLInputValue[] = [at];
    const column: Record<keyof UserPatch, string> = {
      displayName: "display_name",
      email: "email",
      role: "role",
      badge: "badge",
      disabled: "disabled",
      passwordHash: "password_hash",
    };
    for (const [key, col] of Object.entries(column) as [keyof UserPatch, string][]) {
      if (!(key in patch) || patch[key] === undefined) continue;
      const v = patch[key];
      sets.push(`${col} = ?`);
      values.push(typeof v === "boolean" ? (v ? 1 : 0) : v);
    }
    try {
      this.#db.prepare(`UPDATE training_users SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
    } catch (err) {
      throw conflictOf(err, { username: "", badge: patch.badge ?? null, id }) ?? err;
    }
    return this.getUser(id);
  }

  async insertCourse(course: Course): Promise<void> {
    try {
      this.#db
        .prepare(
          "INSERT INTO training_courses (id, name, start_date, end_date, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .run(course.id, course.name, course.startDate, course.endDate, course.createdAt);
    } catch (err) {
      throw conflictOf(err, { id: course.id, username: "", badge: null }) ?? err;
    }
  }

  async getCourse(id: string): Promise<Course | undefined> {
    const row = this.#get("SELECT * FROM training_courses WHERE id = ?", id);
    return row && courseFromRow(row);
  }

  async listCourses(): Promise<Course[]> {
    return this.#all("SELECT * FROM training_courses ORDER BY start_date, name").map(courseFromRow);
  }

  async enrol(enrolments: readonly Enrolment[]): Promise<void> {
    this.#tx(() => this.#enrolAll(enrolments));
  }

  #enrolAll(enrolments: readonly Enrolment[]): void {
    const upsert = this.#db.prepare(
      `INSERT INTO training_enrolments (course_id, user_id, role, enrolled_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (course_id, user_id) DO UPDATE SET role = excluded.role`,
    );
    for (const e of enrolments) {
      try {
        upsert.run(e.courseId, e.userId, e.role, e.enrolledAt);
      } catch (err) {
        if (/FOREIGN KEY/.test(String(err)))
          throw new StoreMissingError(`course ${e.courseId} or user ${e.userId}`);
        throw err;
      }
    }
  }

  async unenrol(courseId: string, userId: string): Promise<boolean> {
    const r = this.#db
      .prepare("DELETE FROM training_enrolments WHERE course_id = ? AND user_id = ?")
      .run(courseId, userId);
    return Number(r.changes) > 0;
  }

  async listEnrolments(filter: { courseId?: string; userId?: string }): Promise<Enrolment[]> {
    return this.#all(
      `SELECT * FROM training_enrolments WHERE (? IS NULL OR course_id = ?) AND (? IS NULL OR user_id = ?)
       ORDER BY course_id, role, enrolled_at, user_id`,
      filter.courseId ?? null,
      filter.courseId ?? null,
      filter.userId ?? null,
      filter.userId ?? null,
    ).map(enrolmentFromRow);
  }

  async startSession(s: NewSession, onOccupied: "refuse" | "takeover"): Promise<StartSessionResult> {
    const result = this.#tx((): StartSessionResult => {
      const open = (sql: string, v: string) => {
        const row = this.#get(`SELECT * FROM training_sessions WHERE ended_at IS NULL AND ${sql}`, v);
        return row && sessionFromRow(row);
      };
      const holder = open("machine = ?", s.machine);
      if (holder && holder.userId === s.userId)
        return { ok: true, session: holder, ended: [], already: true };
      if (holder && onOccupied === "refuse") return { ok: false, reason: "occupied", holder };
      const ended: Session[] = [];
      if (holder) ended.push(this.#close(holder.id, s.startedAt, "takeover", s.startedBy));
      const elsewhere = open("user_id = ?", s.userId);
      if (elsewhere) ended.push(this.#close(elsewhere.id, s.startedAt, "moved", s.startedBy));
      this.#db
        .prepare(
          `INSERT INTO training_sessions (id, machine, user_id, started_at, source, started_by)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(s.id, s.machine, s.userId, s.startedAt, s.source, s.startedBy);
      const session: Session = { ...s, endedAt: null, endReason: null, endedBy: null };
      return { ok: true, session, ended, already: false };
    });
    if (result.ok && !result.already) this.#changed();
    return result;
  }

  #close(id: string, at: number, reason: SessionEndReason, endedBy: string | null): Session {
    const row = this.#get(
      `UPDATE training_sessions SET ended_at = max(?, started_at), end_reason = ?, ended_by = ?
       WHERE id = ? AND ended_at IS NULL RETURNING *`,
      at,
      reason,
      endedBy,
      id,
    );
    if (!row) throw new Error(`session ${id} is not open`);
    return sessionFromRow(row);
  }

  async endSession(
    id: string,
    at: number,
    reason: SessionEndReason,
    endedBy: string | null,
  ): Promise<Session | undefined> {
    const row = this.#get(
      `UPDATE training_sessions SET ended_at = max(?, started_at), end_reason = ?, ended_by = ?
       WHERE id = ? AND ended_at IS NULL RETURNING *`,
      at,
      reason,
      endedBy,
      id,
    );
    if (!row) return undefined;
    this.#changed();
    return sessionFromRow(row);
  }

  async getSession(id: string): Promise<Session | undefined> {
    const row = this.#get("SELECT * FROM training_sessions WHERE id = ?", id);
    return row && sessionFromRow(row);
  }

  async openSessions(): Promise<Session[]> {
    return this.#all("SELECT * FROM training_sessions WHERE ended_at IS NULL ORDER BY machine").map(
      sessionFromRow,
    );
  }

  async listSessions(f: SessionFilter = {}): Promise<Session[]> {
    return this.#all(
      `SELECT * FROM training_sessions
       WHERE (? IS NULL OR user_id = ?) AND (? IS NULL OR machine = ?)
         AND (? IS NULL OR ended_at IS NULL OR ended_at > ?) AND (? IS NULL OR started_at < ?)
       ORDER BY started_at DESC, id LIMIT ?`,
      f.userId ?? null,
      f.userId ?? null,
      f.machine ?? null,
      f.machine ?? null,
      f.from ?? null,
      f.from ?? null,
      f.to ?? null,
      f.to ?? null,
      f.limit ?? 1000,
    ).map(sessionFromRow);
  }

  async eraseUser(id: string, at: number): Promise<ErasedUser | undefined> {
    const result = this.#tx((): ErasedUser | undefined => {
      const sessions = this.#db.prepare("DELETE FROM training_sessions WHERE user_id = ?").run(id);
      const row = this.#get(
        `UPDATE training_users SET username = ?, display_name = ?, email = NULL, badge = NULL,
           password_hash = NULL, disabled = 1, updated_at = ? WHERE id = ? RETURNING *`,
        erasedUsername(id),
        ERASED_DISPLAY_NAME,
        at,
        id,
      );
      return row && { user: userFromRow(row), sessionsDeleted: Number(sessions.changes) };
    });
    if (!result) return undefined;
    // The old row versions live on in WAL frames until a checkpoint copies them over: truncate it now.
    this.#db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    if (result.sessionsDeleted > 0) this.#changed();
    return result;
  }

  async deleteSessionsEndedBefore(ts: number): Promise<number> {
    const r = this.#db
      .prepare("DELETE FROM training_sessions WHERE ended_at IS NOT NULL AND ended_at < ?")
      .run(ts);
    return Number(r.changes);
  }

  onSessionsChanged(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }
}

function conflictOf(
  err: unknown,
  u: { id: string; username: string; badge: string | null },
): StoreConflictError | undefined {
  const msg = String(err);
  if (!/UNIQUE constraint failed/.test(msg)) return undefined;
  if (/\.username/.test(msg)) return new StoreConflictError("username", u.username);
  if (/\.badge/.test(msg)) return new StoreConflictError("badge", u.badge ?? "");
  return new StoreConflictError("id", u.id);
}
