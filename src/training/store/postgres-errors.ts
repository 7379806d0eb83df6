import { redactUrl } from "../../core/url-credentials.ts";

// What the technician reads when the site's PostgreSQL cannot be used at
// start: pg's own message ("connect ECONNREFUSED 10.0.0.5:5432") says neither
// which setting to look at nor what to do. Shared by every store that opens a
// pool on training.postgres.url (the training store, the web session store),
// so they all say it the same way. The URL is shown without its password.

/** Where the URL comes from, for the fix: the gateway's config, or the CLI's environment / option. */
const URL_SOURCES =
  "training.postgres.url in the site config (for the CLI: MASKINPORT_TRAINING_POSTGRES_URL or --postgres)";

/** The site's PostgreSQL could not be connected to or logged in to; the message names the URL and the fix. */
export class PostgresUnavailableError extends Error {
  override readonly name = "PostgresUnavailableError";
}

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "57P03", // cannot_connect_now: the server is starting up or shutting down
]);

/**
 * `err`, met while connecting to `url` for `what` ("training store", "web
 * sessions"), as a PostgresUnavailableError naming the URL and the fix when
 * it is a connection or login problem; any other error is returned unchanged.
 */
export function postgresOpenError(err: unknown, url: string, what: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `PostgreSQL at ${redactUrl(url, "PostgreSQL")}`;
  const reason = (err as Error | null)?.message ?? String(err);
  // pg's connection timeout (postgres-connection.ts) comes without a code: "Connection terminated
  // due to connection timeout" from a client, "timeout exceeded when trying to connect" from a pool.
  if (typeof code !== "string" && /connection timeout|timeout exceeded when trying to connect/.test(reason)) {
    return new PostgresUnavailableError(
      `${what}: ${where} did not answer in time (${reason}): check that the server is up and that no firewall drops the connection, and ${URL_SOURCES}`,
      { cause: err },
    );
  }
  if (typeof code !== "string") return err;
  if (UNREACHABLE.has(code)) {
    return new PostgresUnavailableError(
      `${what}: ${where} is unreachable (${reason}): check that PostgreSQL runs and accepts connections from this machine, and ${URL_SOURCES}`,
      { cause: err },
    );
  }
  // 28P01 wrong password, 28000 no pg_hba.conf entry / role not allowed.
  if (code === "28P01" || code === "28000") {
    return new PostgresUnavailableError(
      `${what}: ${where} refused the login (${reason}): check the user and password in ${URL_SOURCES}, and pg_hba.conf`,
      { cause: err },
    );
  }
  if (code === "3D000") {
    return new PostgresUnavailableError(
      `${what}: ${where} has no such database (${reason}): create it (createdb) or fix ${URL_SOURCES}`,
      { cause: err },
    );
  }
  return err;
}
