import type { DatabaseSync } from "node:sqlite";

// The embedded store's tables, shaped for the dashboard's questions: "this
// signal of this machine over this window" (signal, clustered by series and
// time), "what state was the machine in" (state), "which cycles / alarms"
// (cycle, alarm) and the raw event log (event). src/sinks/README.md explains
// every column. Times are UTC milliseconds since the epoch.

export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS series (
  id      INTEGER PRIMARY KEY,
  machine TEXT NOT NULL,
  signal  TEXT NOT NULL,
  -- 'num' or 'text', decided by the first non-null value; range() aggregates
  -- numbers (avg/min/max) and takes the last value of text series.
  kind    TEXT,
  unit    TEXT,
  UNIQUE (machine, signal)
);

-- One row per observation. WITHOUT ROWID + this primary key keeps each
-- series' rows together in time order: a range query is one index walk and
-- there is no second index to maintain on insert.
CREATE TABLE IF NOT EXISTS signal (
  series     INTEGER NOT NULL,
  ts         INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  value_num  REAL,
  value_text TEXT,
  session    TEXT,
  quality    TEXT,   -- NULL = good; 'uncertain' / 'bad'
  detail     TEXT,   -- JSON AlarmDetail for 'alarm' observations
  PRIMARY KEY (series, ts, seq)
) WITHOUT ROWID;

CREATE VIEW IF NOT EXISTS signal_named AS
  SELECT s.machine, s.signal, v.ts, v.value_num, v.value_text, v.session, v.seq, v.quality, v.detail, s.unit
  FROM signal v JOIN series s ON s.id = v.series;

CREATE TABLE IF NOT EXISTS state (
  machine TEXT NOT NULL,
  ts      INTEGER NOT NULL,
  state   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS state_by_machine ON state (machine, ts);

CREATE TABLE IF NOT EXISTS cycle (
  id          INTEGER PRIMARY KEY,
  machine     TEXT NOT NULL,
  start_ts    INTEGER NOT NULL,
  end_ts      INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  program     TEXT,
  parts_made  INTEGER NOT NULL,
  outcome     TEXT NOT NULL,
  session     TEXT
);
CREATE INDEX IF NOT EXISTS cycle_by_end ON cycle (end_ts);
CREATE INDEX IF NOT EXISTS cycle_by_machine ON cycle (machine, end_ts);

CREATE TABLE IF NOT EXISTS alarm (
  id              INTEGER PRIMARY KEY,
  machine         TEXT NOT NULL,
  alarm_key       TEXT NOT NULL,
  native_code     TEXT NOT NULL,
  severity        TEXT,             -- warning / fault; NULL if only the clear was seen
  native_severity TEXT,
  text            TEXT NOT NULL,
  raised_ts       INTEGER NOT NULL,
  cleared_ts      INTEGER,          -- NULL while active
  duration_ms     INTEGER,
  session         TEXT
);
CREATE INDEX IF NOT EXISTS alarm_by_machine ON alarm (machine, raised_ts);
CREATE INDEX IF NOT EXISTS alarm_by_raised ON alarm (raised_ts);
CREATE INDEX IF NOT EXISTS alarm_open ON alarm (machine, alarm_key, native_code) WHERE cleared_ts IS NULL;

CREATE TABLE IF NOT EXISTS event (
  id      INTEGER PRIMARY KEY,
  machine TEXT NOT NULL,
  ts      INTEGER NOT NULL,
  type    TEXT NOT NULL,
  session TEXT,
  body    TEXT NOT NULL   -- the whole event as JSON
);
CREATE INDEX IF NOT EXISTS event_by_ts ON event (ts);
CREATE INDEX IF NOT EXISTS event_by_machine ON event (machine, ts);

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value
);
`;

/** Create or check the schema. A newer file (from a later gateway) is refused rather than misread. */
export function migrate(db: DatabaseSync, path: string): void {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number } | undefined;
  const version = row?.user_version ?? 0;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `time-series database ${path} has schema version ${version}, newer than this gateway understands (${SCHEMA_VERSION}): upgrade Maskinport or point timeseries.embedded.path at another file`,
    );
  }
  db.exec("BEGIN");
  try {
    db.exec(DDL);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec("COMMIT");
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}
