// SQLite schema of the training store, as migrations: index i brings
// PRAGMA user_version from i to i + 1. Append, never edit a released one.
// Tables are prefixed training_ so the file could share a database with
// other parts of the gateway.

export const SQLITE_MIGRATIONS: readonly string[] = [
  `
CREATE TABLE training_users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  email TEXT,
  role TEXT NOT NULL CHECK (role IN ('trainee', 'instructor', 'admin')),
  badge TEXT UNIQUE,
  disabled INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE training_courses (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE training_enrolments (
  course_id TEXT NOT NULL REFERENCES training_courses(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES training_users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('trainee', 'instructor')),
  enrolled_at INTEGER NOT NULL,
  PRIMARY KEY (course_id, user_id)
);
CREATE INDEX training_enrolments_user ON training_enrolments (user_id);
CREATE TABLE training_sessions (
  id TEXT PRIMARY KEY,
  machine TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES training_users(id),
  started_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  started_by TEXT NOT NULL,
  ended_at INTEGER,
  end_reason TEXT,
  ended_by TEXT
);
-- The two rules that must hold whatever the code does: one open session per machine, one per trainee.
CREATE UNIQUE INDEX training_sessions_open_machine ON training_sessions (machine) WHERE ended_at IS NULL;
CREATE UNIQUE INDEX training_sessions_open_user ON training_sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX training_sessions_user_time ON training_sessions (user_id, started_at);
CREATE INDEX training_sessions_machine_time ON training_sessions (machine, started_at);
`,
];
