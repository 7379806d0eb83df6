import { describe, expect, it } from "vitest";
import { MemorySessionStore } from "../../src/web/auth/memory-session-store.ts";

const HOUR = 3_600_000;

function storeAt(start = 1_700_000_000_000, options: { maxSessions?: number } = {}) {
  const clock = { now: start };
  const store = new MemorySessionStore({
    idleTimeoutMs: HOUR,
    maxAgeMs: 4 * HOUR,
    now: () => clock.now,
    ...options,
  });
  return { store, clock };
}

const trainee = { userId: "u-1", role: "trainee" as const };

// What every store does is in session-store-contract.ts (run by session-stores.test.ts);
// here what only the memory store has.
describe("MemorySessionStore", () => {
  it("stays bounded: beyond the cap the least recently used session ends", async () => {
    const { store } = storeAt(1_700_000_000_000, { maxSessions: 3 });
    const [a, b, c] = [await store.create(trainee), await store.create(trainee), await store.create(trainee)];
    await store.touch(a.token); // a is now the most recently used; b the least
    const d = await store.create(trainee);
    expect(store.size).toBe(3);
    expect(await store.touch(b.token)).toBeUndefined();
    for (const s of [a, c, d]) expect(await store.touch(s.token)).toBeDefined();
  });
});
