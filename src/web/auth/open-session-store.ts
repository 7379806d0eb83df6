import { PostgresSessionStore } from "./postgres-session-store.ts";
import type { SessionTimeouts, WebSessionStore } from "./session-store.ts";
import { SqliteSessionStore } from "./sqlite-session-store.ts";

/** A session store that holds a database connection or file, to be closed at shutdown. */
export type SharedSessionStore = WebSessionStore & { close(): Promise<void> | void };

export type SessionStoreOptions = Partial<SessionTimeouts> & {
  /** An idle PostgreSQL connection the server dropped (the pool reconnects by itself). */
  onError?: (err: Error) => void;
};

/**
 * Login sessions where the training store keeps its users (the same choice as
 * openTrainingStore): the site's PostgreSQL when configured, else the
 * embedded SQLite file. So the gateways and the CLI of one site all reach the
 * same sessions, and ending a person's logins ends them everywhere.
 */
export async function openSessionStore(
  where: { path: string; postgres?: { url: string } | undefined },
  options: SessionStoreOptions = {},
): Promise<SharedSessionStore> {
  const { onError, ...timeouts } = options;
  if (where.postgres) {
    return PostgresSessionStore.open(where.postgres.url, { ...timeouts, ...(onError ? { onError } : {}) });
  }
  return new SqliteSessionStore(where.path, timeouts);
}
