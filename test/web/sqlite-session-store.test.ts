import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hashToken } from "../../src/web/auth/session-token.ts";
import { SqliteSessionStore } from "../../src/web/auth/sqlite-session-store.ts";

// Login sessions in a SQLite file: the same rules as the memory store, and
// they survive a restart (a new store on the same file).

const HOUR = 3_600_000;
const trainee = { userId: "u-1", role: "trainee" as const };
const opened: SqliteSessionStore[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

function storeAt(path: string, clock: { now: number }) {
  const store = new SqliteSessionStore(path, {
    idleTimeoutMs: HOUR,
    maxAgeMs: 4 * HOUR,
    now: () => clock.now,
  });
  opened.push(store);
  return store;
}

const tempFile = () => join(mkdtempSync(join(tmpdir(), "mp-websessions-")), "training.db");

describe("SqliteSessionStore", () => {
  it("keeps a session across a restart, under a hash only", async () => {
    const path = tempFile();
    const clock = { now: 1_700_000_000_000 };
    const { token, session } = await storeAt(path, clock).create(trainee);
    opened.pop()!.close();
    clock.now += 10 * 60_000;
    const again = storeAt(path, clock);
    expect(await again.touch(token)).toMatchObject({
      userId: "u-1",
      role: "trainee",
      csrfToken: session.csrfToken,
    });
    expect(await again.touch(hashToken(token))).toBeUndefined();
    again.close();
    opened.pop();
    // Nowhere in the file (or its WAL) is the token itself.
    const bytes = [path, `${path}-wal`].map((f) => {
      try {
        return readFileSync(f).toString("latin1");
      } catch {
        return "";
      }
    });
    expect(bytes.join("")).not.toContain(token);
  });

  it("ends idle sessions, sessions past their limit, one on logout and all of a user's", async () => {
    const clock = { now: 1_700_000_000_000 };
    const store = storeAt(tempFile(), clock);
    const used = await store.create(trainee);
    const idle = await store.create(trainee);
    for (let i = 0; i < 3; i++) {
      clock.now += 0.9 * HOUR;
      expect(await store.touch(used.token), `touch ${i}`).toBeDefined();
    }
    expect(await store.touch(idle.token)).toBeUndefined();
    clock.now += 0.9 * HOUR; // 3.6 h after login
    expect(await store.touch(used.token)).toBeDefined();
    clock.now += 0.5 * HOUR; // 4.1 h after login, touched 0.5 h ago: past the absolute limit only
    expect(await store.touch(used.token)).toBeUndefined();

    const a = await store.create(trainee);
    const b = await store.create(trainee);
    const other = await store.create({ userId: "u-2", role: "instructor" });
    await store.destroy(a.token);
    expect(await store.touch(a.token)).toBeUndefined();
    expect(await store.touch(b.token)).toBeDefined();
    expect(await store.destroyUser("u-1")).toBe(1);
    expect(await store.touch(b.token)).toBeUndefined();
    expect(await store.touch(other.token)).toMatchObject({ role: "instructor" });
  });
});
