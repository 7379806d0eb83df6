import type { DncProfile } from "../profiles/schema.ts";
import { programIdentity } from "../program/identity.ts";
import { contentHash, programText, splitProgramLines } from "../program/text.ts";
import { LibraryDb, type TransferRow, type VersionRow } from "./db.ts";
import { type LibraryFolder, parseFolder, parseProgramName } from "./folders.ts";

export type ProgramSource = "upload" | "received" | "edit" | "import";

export type ProgramVersion = {
  folder: string;
  name: string;
  /** sha256 of the content: the version's identity. */
  hash: string;
  bytes: number;
  lines: number;
  /** O-number (or program name) found in the text, for remote requests. */
  programNumber: string | null;
  createdAt: number;
  createdBy: string | null;
  source: string;
  note: string | null;
};

export type TransferAudit = {
  machine: string;
  direction: "send" | "receive" | "drip";
  folder?: string;
  name?: string;
  hash?: string;
  bytes: number;
  durationMs: number;
  result: "ok" | "failed" | "cancelled";
  error?: string;
  /** Who started it (user id or trainee pseudonym), or "machine" for a remote request. */
  user?: string;
  session?: string;
  fromLine?: number;
  startedAt: number;
};

const toVersion = (r: VersionRow): ProgramVersion => ({
  folder: r.folder,
  name: r.name,
  hash: r.hash,
  bytes: r.bytes,
  lines: r.lines,
  programNumber: r.program_number,
  createdAt: r.created_at,
  createdBy: r.created_by,
  source: r.source,
  note: r.note,
});

const toAudit = (r: TransferRow): TransferAudit & { id: number } => ({
  id: r.id,
  machine: r.machine,
  direction: r.direction as TransferAudit["direction"],
  folder: r.folder ?? undefined,
  name: r.name ?? undefined,
  hash: r.hash ?? undefined,
  bytes: r.bytes,
  durationMs: r.duration_ms,
  result: r.result as TransferAudit["result"],
  error: r.error ?? undefined,
  user: r.user_id ?? undefined,
  session: r.session ?? undefined,
  fromLine: r.from_line ?? undefined,
  startedAt: r.started_at,
});

/**
 * NC programs in folders (shared, per trainee, per machine), every version
 * kept and identified by its content hash, and every transfer audited. The
 * content lives in the database too, so one file backs up the lot.
 */
export class ProgramLibrary {
  private readonly db: LibraryDb;
  private readonly now: () => number;

  constructor(db: LibraryDb, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
  }

  /** Open (or create) the library in the SQLite file at `path`. */
  static open(path: string, now?: () => number): ProgramLibrary {
    return new ProgramLibrary(new LibraryDb(path), now);
  }

  /**
   * Store a program. Saving the same content as the latest version again
   * adds nothing and returns that version with `created: false`.
   */
  save(input: {
    folder: string;
    name: string;
    content: Buffer | string;
    profile?: Pick<DncProfile, "header">;
    by?: string;
    source?: ProgramSource;
    note?: string;
  }): ProgramVersion & { created: boolean } {
    const folder: LibraryFolder = parseFolder(input.folder);
    const name = parseProgramName(input.name);
    const content = typeof input.content === "string" ? Buffer.from(input.content, "latin1") : input.content;
    const hash = contentHash(content);
    const text = programText(content);
    const identity = programIdentity(text, input.profile ?? { header: "o-number" });
    const now = this.now();
    return this.db.transaction(() => {
      const latest = this.db.latest(folder, name);
      if (latest && latest.hash === hash) return { ...toVersion(latest), created: false };
      this.db.putBlob(hash, content);
      const programId = this.db.programId(folder, name, now);
      this.db.addVersion({
        programId,
        hash,
        programNumber: identity.number ?? identity.name ?? null,
        lines: splitProgramLines(text).length,
        createdAt: now,
        createdBy: input.by ?? null,
        source: input.source ?? "upload",
        note: input.note ?? null,
      });
      return { ...toVersion(this.db.latest(folder, name)!), created: true };
    });
  }

  /** The latest version of a program (or the version with `hash`), with its content. */
  get(folder: string, name: string, hash?: string): (ProgramVersion & { content: Buffer }) | undefined {
    const row = hash === undefined ? this.db.latest(folder, name) : this.db.byHash(folder, name, hash);
    if (!row) return undefined;
    const content = this.db.getBlob(row.hash);
    return content ? { ...toVersion(row), content } : undefined;
  }

  /** Latest version of each program in a folder. */
  list(folder: string): ProgramVersion[] {
    return this.db.listFolder(parseFolder(folder)).map(toVersion);
  }

  folders(): string[] {
    return this.db.folders();
  }

  /** Every version of a program, newest first. */
  history(folder: string, name: string): ProgramVersion[] {
    return this.db.history(folder, name).map(toVersion);
  }

  /**
   * The program a machine asks for by number or name ("O1234", "PART1"),
   * looked up in `folders` in that order of preference.
   */
  findForRequest(
    key: string,
    folders: readonly string[],
  ): (ProgramVersion & { content: Buffer }) | undefined {
    const rows = this.db.findByNumberOrName(key, folders);
    for (const folder of folders) {
      const row = rows.find((r) => r.folder === folder);
      if (row) return this.get(row.folder, row.name, row.hash);
    }
    return undefined;
  }

  recordTransfer(audit: TransferAudit): number {
    return this.db.addTransfer({
      machine: audit.machine,
      direction: audit.direction,
      folder: audit.folder ?? null,
      name: audit.name ?? null,
      hash: audit.hash ?? null,
      bytes: audit.bytes,
      duration_ms: Math.round(audit.durationMs),
      result: audit.result,
      error: audit.error ?? null,
      user_id: audit.user ?? null,
      session: audit.session ?? null,
      from_line: audit.fromLine ?? null,
      started_at: audit.startedAt,
    });
  }

  /** Audited transfers, newest first; `user` is the id the transfer was started by. */
  transfers(
    opts: { machine?: string; user?: string; limit?: number } = {},
  ): (TransferAudit & { id: number })[] {
    return this.db.transfers({ machine: opts.machine, user: opts.user }, opts.limit ?? 100).map(toAudit);
  }

  close(): void {
    this.db.close();
  }
}
