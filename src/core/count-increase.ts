/**
 * Prometheus counters read at scrape time from the counts a component keeps
 * itself (an adapter's, an outbox's, a scheduler's `stats`): how much each
 * count went up since the last scrape, per key. The component never touches
 * prom-client, and a scrape adds only what is new.
 *
 * A count lower than last time means the component was recreated (an adapter
 * reconnected as a new object, an outbox reopened) and counts from zero
 * again: then all of its new count is the increase, so the Prometheus
 * counter never goes backwards.
 */
export function countIncrease(): (key: string, now: number) => number {
  const seen = new Map<string, number>();
  return (key, now) => {
    const before = seen.get(key) ?? 0;
    seen.set(key, now);
    return now >= before ? now - before : now;
  };
}
