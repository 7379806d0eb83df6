// Login throttling: after a few failures, each further attempt for the same
// username, or from the same client address, must wait twice as long as the
// one before (capped). In memory: a restart forgives, which is acceptable for
// a gateway on the school's own network; the cap on tracked keys keeps an
// attacker cycling usernames from growing the map without bound.

export type ThrottleOptions = {
  /** Failures allowed before any wait (per username / per address). */
  freeFailuresPerUser: number;
  freeFailuresPerAddress: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key with no failure for this long is forgotten. */
  forgetAfterMs: number;
  maxTrackedKeys: number;
};

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeFailuresPerUser: 3,
  // A classroom shares one NAT address: allow more there before slowing everyone down.
  freeFailuresPerAddress: 20,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxTrackedKeys: 10_000,
};

type Entry = { failures: number; lastFailure: number; blockedUntil: number };

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export class LoginThrottle {
  readonly #opts: ThrottleOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(opts: Partial<ThrottleOptions> = {}) {
    this.#opts = { ...DEFAULT_THROTTLE, ...opts };
  }

  /** May a login for `username` from `address` be tried now? */
  check(username: string, address: string | undefined, now: number): ThrottleVerdict {
    let wait = 0;
    for (const key of this.#keys(username, address)) {
      const e = this.#entries.get(key);
      if (e && e.blockedUntil > now) wait = Math.max(wait, e.blockedUntil - now);
    }
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
  }

  recordFailure(username: string, address: string | undefined, now: number): void {
    this.#prune(now);
    const keys = this.#keys(username, address);
    keys.forEach((key, i) => {
      const free = i === 0 ? this.#opts.freeFailuresPerUser : this.#opts.freeFailuresPerAddress;
      const e = this.#entries.get(key) ?? { failures: 0, lastFailure: now, blockedUntil: 0 };
      e.failures += 1;
      e.lastFailure = now;
      const over = e.failures - free;
      if (over > 0) {
        const delay = Math.min(this.#opts.maxDelayMs, this.#opts.baseDelayMs * 2 ** Math.min(over - 1, 30));
        e.blockedUntil = now + delay;
      }
      this.#entries.delete(key);
      this.#entries.set(key, e); // re-insert: Map order = least recently failed first
    });
  }

  /** A good login clears the username's record (the address keeps its own, so spraying still slows). */
  recordSuccess(username: string): void {
    this.#entries.delete(userKey(username));
  }

  get trackedKeys(): number {
    return this.#entries.size;
  }

  #keys(username: string, address: string | undefined): string[] {
    return address === undefined ? [userKey(username)] : [userKey(username), `a:${address}`];
  }

  #prune(now: number): void {
    for (const [key, e] of this.#entries) {
      const stale = now - e.lastFailure > this.#opts.forgetAfterMs && e.blockedUntil <= now;
      if (stale || this.#entries.size >= this.#opts.maxTrackedKeys) this.#entries.delete(key);
      else break; // the rest failed more recently
    }
  }
}

function userKey(username: string): string {
  return `u:${username.trim().toLowerCase()}`;
}
