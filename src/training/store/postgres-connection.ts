import type pg from "pg";

// How every connection to the site's PostgreSQL is opened (training store and
// its LISTEN connection, web logins, evidence ledger), so they all behave the
// same when the network does not; and how a transaction runs on one of them.

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

/**
 * Run `work` in one transaction on a client of `pool`: BEGIN, COMMIT, or
 * ROLLBACK when it throws, the client released in every case. While a client
 * is checked out, pg-pool leaves its 'error' event without a listener, so a
 * connection lost between two queries would be an uncaught exception that
 * ends the gateway; the listener here keeps it, and the transaction's next
 * query fails with that error instead, for the caller to handle.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  client.on("error", ignoreConnectionError);
  try {
    await client.query("BEGIN");
    const out = await work(client);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.removeListener("error", ignoreConnectionError);
    client.release();
  }
}

/** See inTransaction: the failure reaches the caller through the transaction's next query. */
function ignoreConnectionError(): void {}
