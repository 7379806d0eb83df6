// Turn file-system and SQLite failures into one sentence a technician can act
// on: what happened, to which file, and what to do about it.

type ErrorWithCodes = Error & { code?: string; errcode?: number; errstr?: string };

// SQLite primary result codes (https://sqlite.org/rescode.html).
const SQLITE_PERM = 3;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

const FIX_PATH = "set timeseries.embedded.path to a writable location or fix the folder's permissions";

function reason(err: ErrorWithCodes): string {
  switch (err.code) {
    case "EACCES":
    case "EPERM":
      return `permission denied: ${FIX_PATH}`;
    case "EROFS":
      return `the file system is read-only: ${FIX_PATH}`;
    case "ENOSPC":
      return "the disk is full: free space on that disk or lower timeseries.embedded.retentionDays";
    case "ENOTDIR":
    case "EEXIST":
      return `a part of the path is a file, not a folder: ${FIX_PATH}`;
  }
  // Extended result codes carry the primary code in the low byte.
  switch ((err.errcode ?? -1) & 0xff) {
    case SQLITE_FULL:
      return "the disk is full: free space on that disk or lower timeseries.embedded.retentionDays";
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return `the database is read-only (permission denied): ${FIX_PATH}`;
    case SQLITE_CANTOPEN:
      return `the file cannot be opened or created (missing folder or permission denied): ${FIX_PATH}`;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return "the file is not a valid SQLite database (or is damaged): move it aside and restart, or set timeseries.embedded.path to another file";
    case SQLITE_IOERR:
      return "an I/O error occurred (disk full, removed or failing?): check the disk";
  }
  return `${err.errstr ?? err.message}: check timeseries.embedded.path`;
}

/** "cannot <action> time-series database <path>: <reason>" as an Error, keeping the original as cause. */
export function storageError(action: string, path: string, err: unknown): Error {
  const e = (err instanceof Error ? err : new Error(String(err))) as ErrorWithCodes;
  return new Error(`cannot ${action} time-series database ${path}: ${reason(e)}`, { cause: err });
}
