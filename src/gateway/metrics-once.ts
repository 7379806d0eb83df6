import type { Registry } from "prom-client";

/**
 * Metrics of parts the gateway creates at each start (the training layer,
 * the retention scheduler, the evidence queue), read at scrape time from
 * whichever of them runs now. prom-client refuses a name registered twice, so
 * `register` runs once per registry, against a holder the caller fills at
 * every start: a gateway started again on the same registry shows its new
 * parts instead of failing.
 */
export function metricsOncePerRegistry<T extends object>(
  register: (registry: Registry, current: T) => void,
): (registry: Registry) => T {
  const holders = new WeakMap<Registry, T>();
  return (registry) => {
    let current = holders.get(registry);
    if (!current) {
      current = {} as T;
      holders.set(registry, current);
      register(registry, current);
    }
    return current;
  };
}
