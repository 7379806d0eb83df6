import { PostgresUnavailableError } from "./postgres-errors.ts";

// Whether a store failed for a reason that passes (the network dropped,
// PostgreSQL restarting, a SQLite file busy or its disk full) rather than
// because of what was asked. The evidence ledger holds and retries drafts on
// it (src/evidence/ledger/unavailable.ts); the web app answers 503 "try again"
// instead of 500 (src/web/error-handler.ts).

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

/** The store (PostgreSQL or a SQLite file) could not be reached or used just now: try again later. */
export function storeUnavailable(err: unknown): boolean {
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
