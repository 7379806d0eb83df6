import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type Postgres, startPostgres } from "./postgres.ts";

// The helper every PostgreSQL test builds on: each caller gets its own empty
// database, and stop() really removes it.
describe("startPostgres", () => {
  const started: Postgres[] = [];
  afterAll(async () => {
    for (const p of started) await p.stop().catch(() => {});
  });

  it("gives each caller a fresh database that it can write to", async () => {
    const a = await startPostgres();
    const b = await startPostgres();
    started.push(a, b);
    expect(a.url).not.toBe(b.url);
    const ca = new pg.Client({ connectionString: a.url });
    const cb = new pg.Client({ connectionString: b.url });
    await ca.connect();
    await cb.connect();
    try {
      await ca.query("CREATE TABLE marker (n int)");
      await ca.query("INSERT INTO marker VALUES (42)");
      expect((await ca.query("SELECT n FROM marker")).rows).toEqual([{ n: 42 }]);
      await expect(cb.query("SELECT n FROM marker")).rejects.toThrow(/marker/);
    } finally {
      await ca.end();
      await cb.end();
    }
  });

  it("stop() makes the database unreachable", async () => {
    const p = await startPostgres();
    await p.stop();
    const c = new pg.Client({ connectionString: p.url, connectionTimeoutMillis: 2000 });
    await expect(c.connect()).rejects.toThrow();
  });
});
