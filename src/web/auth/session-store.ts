import type { AuthenticatedUser } from "./authenticator.ts";
import { isRole } from "./roles.ts";
import { newToken } from "./session-token.ts";

/** A web login session as the app sees it. The token that names it is never stored. */
export type WebSession = AuthenticatedUser & {
  /** Sent back on every cookie-authenticated write (header `X-CSRF-Token`); see csrf.ts. */
  csrfToken: string;
  createdAt: number;
  /** Last request that used the session; it ends `idleTimeoutMs` after this. */
  lastSeenAt: number;
  /** It ends at this time at the latest, however busy. */
  expiresAt: number;
};

export type SessionTimeouts = {
  /** A session unused this long ends. */
  idleTimeoutMs: number;
  /** A session ends this long after login, used or not. */
  maxAgeMs: number;
};

/**
 * A school day: a session lives at most 12 h and ends after 2 h unused (a
 * lesson block with a break). Short enough that a phone left in the workshop
 * does not stay logged in overnight, long enough not to interrupt a lesson.
 */
export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = {
  idleTimeoutMs: 2 * 3_600_000,
  maxAgeMs: 12 * 3_600_000,
};

/** A session `user` starts at `now`: a fresh CSRF token, used just now, ending `maxAgeMs` later at the latest. */
export function startedSession(user: AuthenticatedUser, now: number, timeouts: SessionTimeouts): WebSession {
  return {
    userId: user.userId,
    role: user.role,
    csrfToken: newToken(),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + timeouts.maxAgeMs,
  };
}

/**
 * Every store refuses to start a session for a role the code does not know
 * (a bad cast, a user row from a newer version): such a session could pass no
 * guard anyway, and the SQL stores would drop it at its first use, so failing
 * loudly at login is the honest answer. Same in every store.
 */
export function assertKnownRole(user: AuthenticatedUser): void {
  if (!isRole(user.role)) {
    throw new Error(`web sessions: unknown role ${JSON.stringify(user.role)} for user ${user.userId}`);
  }
}

/** Live at `now`: before its absolute limit and used within the idle timeout. */
export function isLive(
  session: Pick<WebSession, "expiresAt" | "lastSeenAt">,
  now: number,
  timeouts: SessionTimeouts,
): boolean {
  return now < session.expiresAt && now - session.lastSeenAt < timeouts.idleTimeoutMs;
}

/**
 * Where web login sessions live. Stores keep only a hash of each token
 * (session-token.ts), so reading the store does not let anyone log in.
 * Async because the shared store (PostgreSQL) is. Implementations: memory,
 * SQLite (the training store's file), PostgreSQL (the site's database).
 */
export interface WebSessionStore {
  /** Start a session; the token is for the cookie and is not kept. Throws for a role the code does not know. */
  create(user: AuthenticatedUser): Promise<{ token: string; session: WebSession }>;
  /** The live session for a token, its idle clock restarted; undefined if unknown, idle too long or expired. */
  touch(token: string): Promise<WebSession | undefined>;
  /** End one session (logout). Unknown tokens are ignored. */
  destroy(token: string): Promise<void>;
  /**
   * End every session of a user (account disabled, password reset, erasure).
   * Returns how many live sessions ended (already dead ones are removed too, uncounted).
   */
  destroyUser(userId: string): Promise<number>;
}
