// Turn file-system and SQLite failures of an outbox file into one sentence a
// technician can act on: what happened, to which file, what to do about it.

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

const FIX_PATH = "set outbox.path to a writable folder or fix the folder's permissions";
const DISK_FULL =
  "the disk is full: free space on that disk (or lower outbox.maxBytes so the outbox never grows that large)";

function reason(err: ErrorWithCodes): string {
  switch (err.code) {
    case "EACCES":
    case "EPERM":
      return `permission denied: ${FIX_PATH}`;
    case "EROFS":
      return `the file system is read-only: ${FIX_PATH}`;
    case "ENOSPC":
      return DISK_FULL;
    case "ENOTDIR":
    case "EEXIST":
      return `a part of the path is a file, not a folder: ${FIX_PATH}`;
  }
  // Extended result codes carry the primary code in the low byte.
  switch ((err.errcode ?? -1) & 0xff) {
    case SQLITE_FULL:
      return DISK_FULL;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return `the file is read-only (permission denied): ${FIX_PATH}`;
    case SQLITE_CANTOPEN:
      return `the file cannot be opened or created (missing folder or permission denied): ${FIX_PATH}`;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another process holds it (is a second gateway running with the same outbox.path?): stop it or give each gateway its own outbox.path";
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return "the file is not a valid outbox (or is damaged): move it aside and restart (its undelivered data is then lost), or set outbox.path to another folder";
    case SQLITE_IOERR:
      return "an I/O error occurred (disk full, removed or failing?): check the disk";
  }
  return `${err.errstr ?? err.message}: check outbox.path`;
}

/** "cannot <action> outbox <path>: <reason>" as an Error, keeping the original as cause. */
export function outboxError(action: string, path: string, err: unknown): Error {
  const e = (err instanceof Error ? err : new Error(String(err))) as ErrorWithCodes;
  return new Error(`cannot ${action} outbox ${path}: ${reason(e)}`, { cause: err });
}
