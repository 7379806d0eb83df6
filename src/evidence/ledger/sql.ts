import type { EvidenceRecord } from "./record.ts";

// Table layout shared by both stores (types differ only where the engines do).
// Prefixed evidence_ so the ledger can share the gateway's local database file
// with the program library, users and sessions.

export function ledgerSchemaSql(engine: "sqlite" | "postgres"): string {
  const int = engine === "postgres" ? "BIGINT" : "INTEGER";
  const bytes = engine === "postgres" ? "BYTEA" : "BLOB";
  return `
CREATE TABLE IF NOT EXISTS evidence_records (
  seq ${int} PRIMARY KEY,
  type TEXT NOT NULL,
  subject TEXT,
  machine TEXT,
  session TEXT,
  ts ${int} NOT NULL,
  author TEXT,
  goals TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS evidence_records_subject ON evidence_records (subject, seq);
CREATE TABLE IF NOT EXISTS evidence_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq ${int} NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence_person_keys (
  person_id TEXT PRIMARY KEY,
  subject TEXT NOT NULL UNIQUE,
  key ${bytes} NOT NULL,
  created_at ${int} NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence_notes (
  ref TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  text TEXT NOT NULL,
  ts ${int} NOT NULL
);
CREATE INDEX IF NOT EXISTS evidence_notes_subject ON evidence_notes (subject);
`;
}

export type RecordRow = {
  seq: number | string;
  type: string;
  subject: string | null;
  machine: string | null;
  session: string | null;
  ts: number | string;
  author: string | null;
  goals: string;
  payload: string;
  prev_hash: string;
  hash: string;
};

export const RECORD_COLUMNS =
  "seq, type, subject, machine, session, ts, author, goals, payload, prev_hash, hash";

/** The same columns as a positional array (SQLite's returnArrays mode, the cheapest way to read a row). */
export type RecordTuple = [
  number | bigint,
  string,
  string | null,
  string | null,
  string | null,
  number | bigint,
  string | null,
  string,
  string,
  string,
  string,
];

/** A tuple as a record, without the intermediate row object (the verify hot path). */
export function recordFromTuple(t: RecordTuple): EvidenceRecord {
  return {
    seq: Number(t[0]),
    type: t[1] as EvidenceRecord["type"],
    subject: t[2],
    machine: t[3],
    session: t[4],
    ts: Number(t[5]),
    author: t[6],
    goals: parseGoals(t[7]),
    payloadJson: t[8],
    prevHash: t[9],
    hash: t[10],
  };
}

function parseGoals(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map(String) : [text];
  } catch {
    // A damaged goals column still yields a record; its hash will not match.
    return [text];
  }
}

/** A row as stored, without judging it: verify/ decides whether it is sound. */
export function recordFromRow(row: RecordRow): EvidenceRecord {
  return {
    seq: Number(row.seq),
    type: row.type as EvidenceRecord["type"],
    subject: row.subject,
    machine: row.machine,
    session: row.session,
    ts: Number(row.ts),
    author: row.author,
    goals: parseGoals(row.goals),
    payloadJson: row.payload,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function rowValues(r: EvidenceRecord): (string | number | null)[] {
  return [
    r.seq,
    r.type,
    r.subject,
    r.machine,
    r.session,
    r.ts,
    r.author,
    JSON.stringify(r.goals),
    r.payloadJson,
    r.prevHash,
    r.hash,
  ];
}
