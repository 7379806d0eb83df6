// Turn file-system and SQLite failures of a sink's file into one sentence a
// technician can act on: what happened, to which file, what to do about it.
// Each store names its own config key and its own remedies.

type ErrorWithCodes = Error & { code?: string; errcode?: number; errstr?: string };

// SQLite primary result codes (https://sqlite.org/rescode.html).
const SQLITE_PERM = 3;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

export type StorageKind = {
  /** "time-series database", "outbox" … */
  what: string;
  /** What a sound file is: "SQLite database", "outbox" … */
  fileKind: string;
  /** The config key that sets the path, e.g. "timeseries.embedded.path". */
  configKey: string;
  /** "a writable location" or "a writable folder". */
  target: string;
  /** What to do beyond freeing space when the disk is full. */
  diskFullHint: string;
  /** What to do when the file is not what it should be. */
  corruptHint: string;
  /** What to do when another process holds it (omit: report the raw message). */
  busyHint?: string;
};

function reason(err: ErrorWithCodes, kind: StorageKind): string {
  const fixPath = `set ${kind.configKey} to ${kind.target} or fix the folder's permissions`;
  const diskFull = `the disk is full: free space on that disk (or ${kind.diskFullHint})`;
  switch (err.code) {
    case "EACCES":
    case "EPERM":
      return `permission denied: ${fixPath}`;
    case "EROFS":
      return `the file system is read-only: ${fixPath}`;
    case "ENOSPC":
      return diskFull;
    case "ENOTDIR":
    case "EEXIST":
      return `a part of the path is a file, not a folder: ${fixPath}`;
  }
  // Extended result codes carry the primary code in the low byte.
  switch ((err.errcode ?? -1) & 0xff) {
    case SQLITE_FULL:
      return diskFull;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return `the file is read-only (permission denied): ${fixPath}`;
    case SQLITE_CANTOPEN:
      return `the file cannot be opened or created (missing folder or permission denied): ${fixPath}`;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      if (kind.busyHint) return `another process holds it ${kind.busyHint}`;
      break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return `the file is not a valid ${kind.fileKind} (or is damaged): ${kind.corruptHint}`;
    case SQLITE_IOERR:
      return "an I/O error occurred (disk full, removed or failing?): check the disk";
  }
  return `${err.errstr ?? err.message}: check ${kind.configKey}`;
}

/** "cannot <action> <what> <path>: <reason>" as an Error, keeping the original as cause. */
export function storageError(kind: StorageKind, action: string, path: string, err: unknown): Error {
  const e = (err instanceof Error ? err : new Error(String(err))) as ErrorWithCodes;
  return new Error(`cannot ${action} ${kind.what} ${path}: ${reason(e, kind)}`, { cause: err });
}
