import {
  type Course,
  type CourseRole,
  type Enrolment,
  ROLES,
  type Role,
  SESSION_END_REASONS,
  SESSION_SOURCES,
  type Session,
  type SessionEndReason,
  type SessionSource,
  type UserRecord,
} from "./types.ts";

// Database rows → domain objects, shared by both back-ends (they use the
// same column names). PostgreSQL returns BIGINT as a string, SQLite as a
// number: `num` accepts both. A value outside its enum means a damaged or
// foreign database, reported with the column rather than passed on.

export type Row = Record<string, unknown>;

function num(row: Row, col: string): number {
  const v = row[col];
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) throw new Error(`training store: ${col} is not a number`);
  return n;
}

function numOrNull(row: Row, col: string): number | null {
  return row[col] === null || row[col] === undefined ? null : num(row, col);
}

function str(row: Row, col: string): string {
  const v = row[col];
  if (typeof v !== "string") throw new Error(`training store: ${col} is not text`);
  return v;
}

function strOrNull(row: Row, col: string): string | null {
  return row[col] === null || row[col] === undefined ? null : str(row, col);
}

function oneOf<T extends string>(values: readonly T[], row: Row, col: string): T {
  const v = str(row, col);
  if (!(values as readonly string[]).includes(v)) throw new Error(`training store: unknown ${col} "${v}"`);
  return v as T;
}

export function userFromRow(row: Row): UserRecord {
  return {
    id: str(row, "id"),
    username: str(row, "username"),
    displayName: str(row, "display_name"),
    email: strOrNull(row, "email"),
    role: oneOf<Role>(ROLES, row, "role"),
    badge: strOrNull(row, "badge"),
    disabled: row.disabled === true || row.disabled === 1 || row.disabled === 1n,
    passwordHash: strOrNull(row, "password_hash"),
    createdAt: num(row, "created_at"),
    updatedAt: num(row, "updated_at"),
  };
}

export function courseFromRow(row: Row): Course {
  return {
    id: str(row, "id"),
    name: str(row, "name"),
    startDate: str(row, "start_date"),
    endDate: str(row, "end_date"),
    createdAt: num(row, "created_at"),
  };
}

export function enrolmentFromRow(row: Row): Enrolment {
  return {
    courseId: str(row, "course_id"),
    userId: str(row, "user_id"),
    role: oneOf<CourseRole>(["trainee", "instructor"], row, "role"),
    enrolledAt: num(row, "enrolled_at"),
  };
}

export function sessionFromRow(row: Row): Session {
  const reason = strOrNull(row, "end_reason");
  return {
    id: str(row, "id"),
    machine: str(row, "machine"),
    userId: str(row, "user_id"),
    startedAt: num(row, "started_at"),
    source: oneOf<SessionSource>(SESSION_SOURCES, row, "source"),
    startedBy: str(row, "started_by"),
    endedAt: numOrNull(row, "ended_at"),
    endReason: reason === null ? null : oneOf<SessionEndReason>(SESSION_END_REASONS, row, "end_reason"),
    endedBy: strOrNull(row, "ended_by"),
  };
}
