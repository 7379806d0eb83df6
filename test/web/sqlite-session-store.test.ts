import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hashToken } from "../../src/web/auth/session-token.ts";
import { SqliteSessionStore } from "../../src/web/auth/sqlite-session-store.ts";

// Login sessions in a SQLite file survive a restart (a new store on the same
// file), and the file's bytes never hold a token. The rules every store
// follows are in session-store-contract.ts (run by session-stores.test.ts).

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
});
