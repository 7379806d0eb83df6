export type Backoff = { initialMs: number; maxMs: number };

/**
 * Capped exponential backoff with jitter: attempt 0 waits about initialMs,
 * each further attempt doubles until maxMs. The random half keeps a fleet of
 * adapters from reconnecting in lock-step after a switch reboots.
 */
export function backoffDelay(attempt: number, cfg: Backoff, random: () => number = Math.random): number {
  const cap = Math.min(cfg.maxMs, cfg.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (random() * cap) / 2);
}
