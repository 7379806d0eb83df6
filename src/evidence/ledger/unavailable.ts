import { PostgresUnavailableError } from "../../training/store/postgres-errors.ts";

// Why an append failed decides what happens to the drafts it carried: when the
// ledger could not be reached they are held and retried, in order; when the
// draft itself is at fault (it can never be sealed) it is set aside, so that
// one bad draft does not hold every later one back.

/** Network errors of node's sockets and DNS (what pg throws when PostgreSQL is gone or unreachable). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "not this": 57P01
 * admin_shutdown (a restart), 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up), 53300 too_many_connections, 40001 / 40P01 (serialization
 * failure, deadlock: the transaction may simply be run again), 55P03
 * lock_not_available. The whole class 08 (connection exception) is matched below.
 */
const POSTGRES_RETRY_CODES = new Set(["57P01", "57P02", "57P03", "53300", "40001", "40P01", "55P03"]);

/** pg's own errors for a connection that died or never came, which carry no code. */
const PG_CONNECTION_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "is not queryable",
  "Query read timeout",
];

/** SQLite result codes worth waiting out: BUSY 5, LOCKED 6, IOERR 10, FULL 13 (disk full), CANTOPEN 14. */
const SQLITE_RETRY_CODES = new Set([5, 6, 10, 13, 14]);

/** The ledger (PostgreSQL or the SQLite file) could not be reached or used just now: try again later. */
export function ledgerUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof PostgresUnavailableError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") {
      if (NETWORK_CODES.has(code) || POSTGRES_RETRY_CODES.has(code) || code.startsWith("08")) return true;
      if (code === "ERR_SQLITE_ERROR") {
        // Extended result codes carry the primary one in the low byte.
        const errcode = (e as { errcode?: unknown }).errcode;
        if (typeof errcode === "number" && SQLITE_RETRY_CODES.has(errcode & 0xff)) return true;
      }
    }
    if (PG_CONNECTION_MESSAGES.some((m) => e instanceof Error && e.message.includes(m))) return true;
  }
  return false;
}

/**
 * The draft itself can never be sealed: a value canonical JSON refuses
 * (NaN, a function), a timestamp that is not integer milliseconds
 * (TypeError / RangeError from canonicalJson and seal), or a value the
 * database refuses as data (SQLSTATE class 22 data exception, class 23
 * integrity constraint). Anything else that is not `ledgerUnavailable` is
 * not known to be the draft's fault either, and is retried.
 */
export function draftRejected(err: unknown): boolean {
  if (ledgerUnavailable(err)) return false;
  if (err instanceof TypeError || err instanceof RangeError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^2[23][0-9A-Z]{3}$/.test(code);
}
