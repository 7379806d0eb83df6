import type { AuthenticatedUser } from "./authenticator.ts";
import {
  assertKnownRole,
  DEFAULT_SESSION_TIMEOUTS,
  isLive,
  type SessionTimeouts,
  startedSession,
  type WebSession,
  type WebSessionStore,
} from "./session-store.ts";
import { hashToken, newToken } from "./session-token.ts";

export type MemorySessionStoreOptions = Partial<SessionTimeouts> & {
  /** Beyond this many live sessions the least recently used one is ended (memory stays bounded). */
  maxSessions?: number;
  now?: () => number;
};

/**
 * Sessions in this process's memory: the web app's default and the tests'.
 * A restart logs everyone out and two gateways do not share them, so a
 * gateway with a training store uses the store beside its users instead
 * (sqlite-session-store.ts, postgres-session-store.ts).
 */
export class MemorySessionStore implements WebSessionStore {
  readonly #timeouts: SessionTimeouts;
  readonly #maxSessions: number;
  readonly #now: () => number;
  /** By token hash; Map order is least recently used first (touch re-inserts). */
  readonly #sessions = new Map<string, WebSession>();

  constructor(options: MemorySessionStoreOptions = {}) {
    this.#timeouts = {
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_SESSION_TIMEOUTS.idleTimeoutMs,
      maxAgeMs: options.maxAgeMs ?? DEFAULT_SESSION_TIMEOUTS.maxAgeMs,
    };
    this.#maxSessions = options.maxSessions ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Live sessions held (expired ones are dropped as they are met). */
  get size(): number {
    return this.#sessions.size;
  }

  async create(user: AuthenticatedUser): Promise<{ token: string; session: WebSession }> {
    assertKnownRole(user);
    const now = this.#now();
    const token = newToken();
    const session = startedSession(user, now, this.#timeouts);
    if (this.#sessions.size >= this.#maxSessions) this.#evict(now);
    this.#sessions.set(hashToken(token), session);
    return { token, session: { ...session } };
  }

  async touch(token: string): Promise<WebSession | undefined> {
    const key = hashToken(token);
    const session = this.#sessions.get(key);
    if (session === undefined) return undefined;
    const now = this.#now();
    this.#sessions.delete(key);
    if (!this.#alive(session, now)) return undefined;
    session.lastSeenAt = now;
    this.#sessions.set(key, session);
    return { ...session };
  }

  async destroy(token: string): Promise<void> {
    this.#sessions.delete(hashToken(token));
  }

  async destroyUser(userId: string): Promise<number> {
    const now = this.#now();
    let ended = 0;
    for (const [key, session] of this.#sessions) {
      if (session.userId !== userId) continue;
      this.#sessions.delete(key);
      if (this.#alive(session, now)) ended++;
    }
    return ended;
  }

  #alive(session: WebSession, now: number): boolean {
    return isLive(session, now, this.#timeouts);
  }

  /** Drop every dead session; if all are alive, the least recently used one. */
  #evict(now: number): void {
    for (const [key, session] of this.#sessions) if (!this.#alive(session, now)) this.#sessions.delete(key);
    if (this.#sessions.size < this.#maxSessions) return;
    const oldest = this.#sessions.keys().next();
    if (!oldest.done) this.#sessions.delete(oldest.value);
  }
}
