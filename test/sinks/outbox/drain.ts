import type { OutboxEntry } from "../../../src/sinks/outbox/outbox-types.ts";

/** Everything an outbox (or one sink's view of the shared log) still holds, in order, without acking it. */
export function drain(
  source: { peek(afterId: number, limit: number): OutboxEntry[] },
  limit = 1000,
): OutboxEntry[] {
  const all: OutboxEntry[] = [];
  let after = 0;
  for (;;) {
    const batch = source.peek(after, limit);
    if (batch.length === 0) return all;
    all.push(...batch);
    after = batch.at(-1)!.id;
  }
}
