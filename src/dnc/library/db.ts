import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";

// SQL for the program library, and nothing else: ProgramLibrary (library.ts)
// holds the rules. Tables are prefixed dnc_ so that the library can share the
// gateway's local database file with users, sessions and evidence.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS dnc_blobs (
  hash TEXT PRIMARY KEY,
  content BLOB NOT NULL,
  bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dnc_programs (
  id INTEGER PRIMARY KEY,
  folder TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (folder, name)
);
CREATE TABLE IF NOT EXISTS dnc_versions (
  id INTEGER PRIMARY KEY,
  program_id INTEGER NOT NULL REFERENCES dnc_programs(id),
  hash TEXT NOT NULL REFERENCES dnc_blobs(hash),
  program_number TEXT,
  lines INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT,
  source TEXT NOT NULL,
  note TEXT
);
CREATE INDEX IF NOT EXISTS dnc_versions_program ON dnc_versions (program_id, id);
CREATE INDEX IF NOT EXISTS dnc_versions_number ON dnc_versions (program_number);
CREATE TABLE IF NOT EXISTS dnc_transfers (
  id INTEGER PRIMARY KEY,
  machine TEXT NOT NULL,
  direction TEXT NOT NULL,
  folder TEXT,
  name TEXT,
  hash TEXT,
  bytes INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  result TEXT NOT NULL,
  error TEXT,
  user_id TEXT,
  session TEXT,
  from_line INTEGER,
  started_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dnc_transfers_machine ON dnc_transfers (machine, started_at);
CREATE INDEX IF NOT EXISTS dnc_transfers_user ON dnc_transfers (user_id, id);
`;

export type VersionRow = {
  version_id: number;
  program_id: number;
  folder: string;
  name: string;
  hash: string;
  bytes: number;
  lines: number;
  program_number: string | null;
  created_at: number;
  created_by: string | null;
  source: string;
  note: string | null;
};

export type TransferRow = {
  id: number;
  machine: string;
  direction: string;
  folder: string | null;
  name: string | null;
  hash: string | null;
  bytes: number;
  duration_ms: number;
  result: string;
  error: string | null;
  user_id: string | null;
  session: string | null;
  from_line: number | null;
  started_at: number;
};

const VERSION_SELECT = `SELECT v.id AS version_id, p.id AS program_id, p.folder, p.name, v.hash, b.bytes, v.lines,
  v.program_number, v.created_at, v.created_by, v.source, v.note
  FROM dnc_versions v JOIN dnc_programs p ON p.id = v.program_id JOIN dnc_blobs b ON b.hash = v.hash`;

/** The library's tables in one SQLite file (`path`, or ":memory:"). */
export class LibraryDb {
  readonly db: DatabaseSync;
  private readonly stmts: Record<string, StatementSync>;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.stmts = {
      putBlob: p("INSERT OR IGNORE INTO dnc_blobs (hash, content, bytes) VALUES (?, ?, ?)"),
      getBlob: p("SELECT content FROM dnc_blobs WHERE hash = ?"),
      findProgram: p("SELECT id FROM dnc_programs WHERE folder = ? AND name = ?"),
      addProgram: p("INSERT INTO dnc_programs (folder, name, created_at) VALUES (?, ?, ?)"),
      addVersion: p(
        `INSERT INTO dnc_versions (program_id, hash, program_number, lines, created_at, created_by, source, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      latest: p(`${VERSION_SELECT} WHERE p.folder = ? AND p.name = ? ORDER BY v.id DESC LIMIT 1`),
      byHash: p(
        `${VERSION_SELECT} WHERE p.folder = ? AND p.name = ? AND v.hash = ? ORDER BY v.id DESC LIMIT 1`,
      ),
      history: p(`${VERSION_SELECT} WHERE p.folder = ? AND p.name = ? ORDER BY v.id DESC`),
      listFolder: p(
        `${VERSION_SELECT} WHERE p.folder = ? AND v.id = (SELECT MAX(id) FROM dnc_versions WHERE program_id = p.id)
         ORDER BY p.name`,
      ),
      folders: p("SELECT DISTINCT folder FROM dnc_programs ORDER BY folder"),
      addTransfer: p(
        `INSERT INTO dnc_transfers (machine, direction, folder, name, hash, bytes, duration_ms, result, error,
          user_id, session, from_line, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      transfersAll: p("SELECT * FROM dnc_transfers ORDER BY id DESC LIMIT ?"),
      transfersOf: p("SELECT * FROM dnc_transfers WHERE machine = ? ORDER BY id DESC LIMIT ?"),
      transfersBy: p("SELECT * FROM dnc_transfers WHERE user_id = ? ORDER BY id DESC LIMIT ?"),
      transfersOfBy: p(
        "SELECT * FROM dnc_transfers WHERE machine = ? AND user_id = ? ORDER BY id DESC LIMIT ?",
      ),
    };
  }

  transaction<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (err) {
      this.db.exec("ROLLBACK");
      throw err;
    }
  }

  putBlob(hash: string, content: Uint8Array): void {
    this.stmts.putBlob!.run(hash, content, content.length);
  }

  getBlob(hash: string): Buffer | undefined {
    const row = this.stmts.getBlob!.get(hash) as { content: Uint8Array } | undefined;
    return row ? Buffer.from(row.content) : undefined;
  }

  programId(folder: string, name: string, createdAt: number): number {
    const row = this.stmts.findProgram!.get(folder, name) as { id: number } | undefined;
    if (row) return row.id;
    return Number(this.stmts.addProgram!.run(folder, name, createdAt).lastInsertRowid);
  }

  addVersion(v: {
    programId: number;
    hash: string;
    programNumber: string | null;
    lines: number;
    createdAt: number;
    createdBy: string | null;
    source: string;
    note: string | null;
  }): number {
    return Number(
      this.stmts.addVersion!.run(
        v.programId,
        v.hash,
        v.programNumber,
        v.lines,
        v.createdAt,
        v.createdBy,
        v.source,
        v.note,
      ).lastInsertRowid,
    );
  }

  latest(folder: string, name: string): VersionRow | undefined {
    return this.stmts.latest!.get(folder, name) as VersionRow | undefined;
  }

  byHash(folder: string, name: string, hash: string): VersionRow | undefined {
    return this.stmts.byHash!.get(folder, name, hash) as VersionRow | undefined;
  }

  history(folder: string, name: string): VersionRow[] {
    return this.stmts.history!.all(folder, name) as VersionRow[];
  }

  listFolder(folder: string): VersionRow[] {
    return this.stmts.listFolder!.all(folder) as VersionRow[];
  }

  folders(): string[] {
    return (this.stmts.folders!.all() as { folder: string }[]).map((r) => r.folder);
  }

  addTransfer(t: Omit<TransferRow, "id">): number {
    return Number(
      this.stmts.addTransfer!.run(
        t.machine,
        t.direction,
        t.folder,
        t.name,
        t.hash,
        t.bytes,
        t.duration_ms,
        t.result,
        t.error,
        t.user_id,
        t.session,
        t.from_line,
        t.started_at,
      ).lastInsertRowid,
    );
  }

  /** Newest first, optionally of one machine and/or one user (the web page's "my transfers"). */
  transfers(filter: { machine?: string; user?: string }, limit: number): TransferRow[] {
    const { machine, user } = filter;
    if (machine !== undefined && user !== undefined) {
      return this.stmts.transfersOfBy!.all(machine, user, limit) as TransferRow[];
    }
    if (user !== undefined) return this.stmts.transfersBy!.all(user, limit) as TransferRow[];
    if (machine !== undefined) return this.stmts.transfersOf!.all(machine, limit) as TransferRow[];
    return this.stmts.transfersAll!.all(limit) as TransferRow[];
  }

  /** Versions whose program number or name matches, latest first, within the given folders. */
  findByNumberOrName(key: string, folders: readonly string[]): VersionRow[] {
    if (folders.length === 0) return [];
    const marks = folders.map(() => "?").join(", ");
    const sql = `${VERSION_SELECT} WHERE p.folder IN (${marks})
      AND v.id = (SELECT MAX(id) FROM dnc_versions WHERE program_id = p.id)
      AND (upper(v.program_number) = upper(?) OR upper(p.name) = upper(?) OR upper(p.name) LIKE upper(?) || '.%')
      ORDER BY v.id DESC`;
    return this.db.prepare(sql).all(...folders, key, key, key) as VersionRow[];
  }

  close(): void {
    this.db.close();
  }
}
