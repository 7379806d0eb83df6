import type pg from "pg";

// How every connection to the site's PostgreSQL is opened (training store and
// its LISTEN connection, web logins, evidence ledger), so they all behave the
// same when the network does not.

/**
 * How long opening a connection may take. Without it, a server that is down
 * behind a switch that drops packets (no "connection refused") keeps a start,
 * a login or a held evidence retry waiting for the kernel's TCP timeout,
 * about two minutes; ten seconds is ample for a server in the same building.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * `pg` settings for a connection to `url`. TCP keepalive after 30 s idle lets
 * the kernel find a peer that vanished (a gateway's idle pooled connections
 * would otherwise look alive until used).
 */
export function connectionConfig(url: string, connectTimeoutMs = CONNECT_TIMEOUT_MS): pg.ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 30_000,
  };
}
