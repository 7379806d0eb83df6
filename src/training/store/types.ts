// The one storage interface of the people side of the training layer:
// users, courses, enrolments and check-in sessions. Two implementations
// (sqlite.ts for one gateway, postgres.ts for a site whose gateways share one
// roster) pass the same contract suite (test/training/store-contract.ts).
// Every method is async so that both back-ends fit; rules (who may check in
// where, passwords, throttling) live in the services, not here, except the
// two that must hold under concurrency: one open session per machine and one
// per trainee, enforced inside one transaction (and by unique indexes).

export const ROLES = ["trainee", "instructor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export type User = {
  /** Opaque (`u-` + 16 base32): safe in URLs and MQTT replies. */
  id: string;
  /** Lower-case login name; unique. Personal data: never logged, never on MQTT. */
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  /** Badge (card) id a check-in reader sends; unique when set. */
  badge: string | null;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
};

/** A user as stored: with the password hash, which only the user service reads. */
export type UserRecord = User & { passwordHash: string | null };

export type UserPatch = Partial<
  Pick<UserRecord, "displayName" | "email" | "role" | "badge" | "disabled" | "passwordHash">
>;

export type Course = {
  id: string;
  name: string;
  /** Calendar dates (YYYY-MM-DD) in the site's time zone, inclusive. */
  startDate: string;
  endDate: string;
  createdAt: number;
};

export const COURSE_ROLES = ["trainee", "instructor"] as const;
export type CourseRole = (typeof COURSE_ROLES)[number];

export type Enrolment = { courseId: string; userId: string; role: CourseRole; enrolledAt: number };

/** How a session began: a trainee's own check-in (web/API or a reader) or an instructor's assignment. */
export const SESSION_SOURCES = ["api", "mqtt", "assigned", "demo"] as const;
export type SessionSource = (typeof SESSION_SOURCES)[number];

export const SESSION_END_REASONS = [
  /** checked out by hand (trainee, instructor or reader) */
  "checkout",
  /** no machine activity for the configured idle time */
  "idle",
  /** the site's end of day */
  "end-of-day",
  /** another trainee took the machine over */
  "takeover",
  /** the trainee checked in on another machine */
  "moved",
  /** the user was disabled */
  "disabled",
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export type Session = {
  id: string;
  machine: string;
  userId: string;
  startedAt: number;
  source: SessionSource;
  /** Who started it: the trainee, the assigning instructor, or `reader:<id>`. */
  startedBy: string;
  endedAt: number | null;
  endReason: SessionEndReason | null;
  /** Who ended it (user id, `reader:<id>`) or null when the gateway did (idle, end of day). */
  endedBy: string | null;
};

export type NewSession = Pick<Session, "id" | "machine" | "userId" | "startedAt" | "source" | "startedBy">;

export type StartSessionResult =
  | {
      ok: true;
      session: Session;
      /** Sessions this start closed (the machine's previous holder on takeover, the trainee's other machine). */
      ended: Session[];
      /** The trainee already held this machine: nothing changed. */
      already: boolean;
    }
  | { ok: false; reason: "occupied"; holder: Session };

export type SessionFilter = {
  userId?: string;
  machine?: string;
  /** Sessions that overlap [from, to). */
  from?: number;
  to?: number;
  limit?: number;
};

/** What `eraseUser` did: the anonymised row and how many session rows went. */
export type ErasedUser = { user: UserRecord; sessionsDeleted: number };

/** The username an erased user's row keeps: unique, opaque, not a login anyone can use (no password). */
export const erasedUsername = (id: string): string => `erased-${id}`;
export const ERASED_DISPLAY_NAME = "(erased)";

/** A unique field already taken (username, badge). */
export class StoreConflictError extends Error {
  readonly field: "username" | "badge" | "id";
  readonly value: string;
  constructor(field: "username" | "badge" | "id", value: string) {
    super(`${field} "${value}" is already taken`);
    this.name = "StoreConflictError";
    this.field = field;
    this.value = value;
  }
}

/** A referenced row that does not exist (enrolling an unknown user). */
export class StoreMissingError extends Error {
  constructor(what: string) {
    super(`${what} does not exist`);
    this.name = "StoreMissingError";
  }
}

export interface TrainingStore {
  readonly kind: "sqlite" | "postgres";
  close(): Promise<void>;

  /** Insert users and enrolments all-or-nothing (one transaction): add and CSV import. */
  insertUsers(users: readonly UserRecord[], enrolments?: readonly Enrolment[]): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  findUserByBadge(badge: string): Promise<UserRecord | undefined>;
  /** Ordered by username. */
  listUsers(filter?: { role?: Role; includeDisabled?: boolean }): Promise<UserRecord[]>;
  updateUser(id: string, patch: UserPatch, at: number): Promise<UserRecord | undefined>;

  insertCourse(course: Course): Promise<void>;
  getCourse(id: string): Promise<Course | undefined>;
  /** Ordered by start date, then name. */
  listCourses(): Promise<Course[]>;
  /** Enrol (or change the course role of) users; all-or-nothing. */
  enrol(enrolments: readonly Enrolment[]): Promise<void>;
  unenrol(courseId: string, userId: string): Promise<boolean>;
  listEnrolments(filter: { courseId?: string; userId?: string }): Promise<Enrolment[]>;

  /**
   * Open a session atomically: if the machine is held by another trainee,
   * refuse (returning the holder) or end theirs (`takeover`); a session the
   * trainee holds on another machine is ended (`moved`).
   */
  startSession(session: NewSession, onOccupied: "refuse" | "takeover"): Promise<StartSessionResult>;
  /** Close an open session; undefined when it is unknown or already closed. */
  endSession(
    id: string,
    at: number,
    reason: SessionEndReason,
    endedBy: string | null,
  ): Promise<Session | undefined>;
  getSession(id: string): Promise<Session | undefined>;
  openSessions(): Promise<Session[]>;
  /** Newest first. */
  listSessions(filter?: SessionFilter): Promise<Session[]>;

  /**
   * Called after any session starts or ends, including (PostgreSQL: via
   * LISTEN/NOTIFY) those made by another gateway on the same database, so
   * that the gateway owning a machine sees a check-in made elsewhere.
   * Returns the unsubscribe function.
   */
  onSessionsChanged(listener: () => void): () => void;

  /**
   * Erasure (docs/privacy.md): in one transaction, the user's name, username,
   * e-mail, badge and password hash are replaced or cleared and the row is
   * disabled but kept (opaque id, role, enrolments: course counts stay right),
   * and every session row of the user, open or closed, is deleted. SQLite also
   * overwrites the freed bytes (secure_delete) and truncates the WAL, so the
   * old values are not left in the file. Undefined for an unknown id.
   */
  eraseUser(id: string, at: number): Promise<ErasedUser | undefined>;
  /** Retention of raw session links: delete closed sessions that ended before `ts`; returns how many. */
  deleteSessionsEndedBefore(ts: number): Promise<number>;
}
