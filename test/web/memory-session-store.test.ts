import { describe, expect, it } from "vitest";
import { MemorySessionStore } from "../../src/web/auth/memory-session-store.ts";
import { hashToken } from "../../src/web/auth/session-token.ts";

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

describe("MemorySessionStore", () => {
  it("starts a session under a fresh 32-byte token with its own CSRF token", async () => {
    const { store, clock } = storeAt();
    const a = await store.create(trainee);
    const b = await store.create(trainee);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    expect(a.token).not.toBe(b.token);
    expect(a.session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.session.csrfToken).not.toBe(a.token);
    expect(a.session.csrfToken).not.toBe(b.session.csrfToken);
    expect(a.session).toMatchObject({ userId: "u-1", role: "trainee", expiresAt: clock.now + 4 * HOUR });
    expect(await store.touch(a.token)).toMatchObject({ userId: "u-1", csrfToken: a.session.csrfToken });
  });

  it("keeps only a hash: what it stores cannot be used as a token", async () => {
    const { store } = storeAt();
    const { token } = await store.create(trainee);
    expect(hashToken(token)).not.toBe(token);
    expect(await store.touch(hashToken(token))).toBeUndefined();
    expect(await store.touch(token)).toBeDefined();
  });

  it("ends a session left idle too long, and keeps one in use alive", async () => {
    const { store, clock } = storeAt();
    const used = await store.create(trainee);
    const idle = await store.create(trainee);
    for (let i = 0; i < 3; i++) {
      clock.now += 0.9 * HOUR;
      expect(await store.touch(used.token), `touch ${i}`).toBeDefined();
    }
    expect(await store.touch(idle.token)).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it("ends every session at its absolute limit, however busy", async () => {
    const { store, clock } = storeAt();
    const { token } = await store.create(trainee);
    for (let i = 0; i < 7; i++) {
      clock.now += 0.5 * HOUR;
      expect(await store.touch(token)).toBeDefined();
    }
    clock.now += 0.5 * HOUR; // 4 h after login
    expect(await store.touch(token)).toBeUndefined();
  });

  it("ends one session on logout, or all of a user's", async () => {
    const { store } = storeAt();
    const first = await store.create(trainee);
    const second = await store.create(trainee);
    const other = await store.create({ userId: "u-2", role: "instructor" });
    await store.destroy(first.token);
    expect(await store.touch(first.token)).toBeUndefined();
    expect(await store.touch(second.token)).toBeDefined();
    expect(await store.destroyUser("u-1")).toBe(1);
    expect(await store.touch(second.token)).toBeUndefined();
    expect(await store.touch(other.token)).toBeDefined();
    await store.destroy("not-a-token"); // ignored
  });

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
