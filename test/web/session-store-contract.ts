// One contract for every WebSessionStore (memory, SQLite, PostgreSQL): the
// web app and the CLI rely on exactly these rules, whichever store a gateway
// has. `open` makes a store with the given timeouts on a clock the test moves;
// `stored`, where the store is a database, returns everything it holds as
// text, for the checks that the token itself is never kept and dead rows go.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Role } from "../../src/web/auth/roles.ts";
import type { SessionTimeouts, WebSessionStore } from "../../src/web/auth/session-store.ts";
import { hashToken, newToken } from "../../src/web/auth/session-token.ts";

export type SessionStoreHarness = {
  open(options: SessionTimeouts & { now: () => number }): Promise<WebSessionStore & { close?(): unknown }>;
  /** Everything the store holds, as text (a database dump); undefined for the memory store. */
  stored?: () => Promise<string>;
};

const HOUR = 3_600_000;
const T0 = 1_900_000_000_000;

/** A fresh user id per test, so stores on one shared database do not see each other's users. */
const someone = (role: Role = "trainee") => ({ userId: `u-${randomUUID()}`, role });

export function sessionStoreContract(name: string, harness: SessionStoreHarness): void {
  describe(`WebSessionStore contract: ${name}`, () => {
    const opened: { close?(): unknown }[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close?.();
    });

    async function setup() {
      const clock = { now: T0 };
      const store = await harness.open({ idleTimeoutMs: HOUR, maxAgeMs: 4 * HOUR, now: () => clock.now });
      opened.push(store);
      return { store, clock };
    }

    it("starts a session under a fresh 32-byte token with its own CSRF token, and finds it again", async () => {
      const { store, clock } = await setup();
      const user = someone();
      const a = await store.create(user);
      const b = await store.create(user);
      expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.token).not.toBe(b.token);
      expect(a.session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.session.csrfToken).not.toBe(a.token);
      expect(a.session.csrfToken).not.toBe(b.session.csrfToken);
      expect(a.session).toEqual({
        ...user,
        csrfToken: a.session.csrfToken,
        createdAt: T0,
        lastSeenAt: T0,
        expiresAt: T0 + 4 * HOUR,
      });
      clock.now += 60_000;
      expect(await store.touch(a.token)).toEqual({ ...a.session, lastSeenAt: T0 + 60_000 });
      expect(await store.touch(b.token)).toMatchObject({ csrfToken: b.session.csrfToken });
      const staff = someone("instructor");
      const c = await store.create(staff);
      expect(await store.touch(c.token)).toMatchObject(staff);
    });

    it("knows no token it did not issue, nor the hash it keeps in its place", async () => {
      const { store } = await setup();
      const { token } = await store.create(someone());
      expect(await store.touch(newToken())).toBeUndefined();
      expect(await store.touch(hashToken(token))).toBeUndefined();
      expect(await store.touch(token)).toBeDefined();
    });

    if (harness.stored) {
      const stored = harness.stored;
      it("keeps only the token's hash, never the token", async () => {
        const { store } = await setup();
        const { token } = await store.create(someone());
        const text = await stored();
        expect(text).toContain(hashToken(token));
        expect(text).not.toContain(token);
      });

      it("clears away dead sessions when someone logs in", async () => {
        const { store, clock } = await setup();
        const idle = await store.create(someone());
        const old = await store.create(someone());
        for (let i = 0; i < 5; i++) {
          clock.now += 0.9 * HOUR;
          await store.touch(old.token); // busy until its absolute limit
        }
        await store.create(someone());
        const text = await stored();
        expect(text).not.toContain(hashToken(idle.token));
        expect(text).not.toContain(hashToken(old.token));
      });
    }

    it("restarts the idle clock on every use, and ends a session left unused too long", async () => {
      const { store, clock } = await setup();
      const user = someone();
      const used = await store.create(user);
      const idle = await store.create(user);
      for (let i = 1; i <= 3; i++) {
        clock.now += 0.9 * HOUR;
        expect(await store.touch(used.token), `touch ${i}`).toMatchObject({ lastSeenAt: clock.now });
      }
      expect(await store.touch(idle.token)).toBeUndefined();
      // Exactly the idle timeout after the last use is too late.
      clock.now += HOUR;
      expect(await store.touch(used.token)).toBeUndefined();
      // And an ended session stays ended.
      clock.now -= HOUR;
      expect(await store.touch(used.token)).toBeUndefined();
    });

    it("ends every session at its absolute limit, however busy", async () => {
      const { store, clock } = await setup();
      const { token } = await store.create(someone());
      for (let i = 0; i < 7; i++) {
        clock.now += 0.5 * HOUR;
        expect(await store.touch(token), `touch at ${(i + 1) * 0.5} h`).toBeDefined();
      }
      clock.now += 0.5 * HOUR; // 4 h after login
      expect(await store.touch(token)).toBeUndefined();
    });

    it("ends one session on logout and ignores an unknown one", async () => {
      const { store } = await setup();
      const user = someone();
      const first = await store.create(user);
      const second = await store.create(user);
      await store.destroy(first.token);
      expect(await store.touch(first.token)).toBeUndefined();
      expect(await store.touch(second.token)).toBeDefined();
      await store.destroy(newToken());
      await store.destroy("not-a-token");
      expect(await store.touch(second.token)).toBeDefined();
    });

    it("ends all of one user's sessions, counting only the live ones", async () => {
      const { store, clock } = await setup();
      const user = someone();
      const other = someone("instructor");
      const dead = await store.create(user);
      const a = await store.create(user);
      const b = await store.create(user);
      const theirs = await store.create(other);
      for (let i = 0; i < 2; i++) {
        clock.now += 0.9 * HOUR;
        for (const s of [a, b, theirs]) expect(await store.touch(s.token)).toBeDefined();
      }
      // `dead` is past its idle timeout now, but still held (no login since to clear it away).
      expect(await store.destroyUser(user.userId)).toBe(2);
      for (const s of [dead, a, b]) expect(await store.touch(s.token)).toBeUndefined();
      expect(await store.touch(theirs.token)).toMatchObject(other);
      expect(await store.destroyUser(user.userId)).toBe(0);
      expect(await store.destroyUser(`u-${randomUUID()}`)).toBe(0);
    });

    it("refuses to start a session for a role it does not know", async () => {
      const { store } = await setup();
      const bad = { userId: `u-${randomUUID()}`, role: "root" as Role };
      await expect(store.create(bad)).rejects.toThrow(/unknown role "root"/);
    });
  });
}
