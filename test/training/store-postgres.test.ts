import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { PostgresTrainingStore } from "../../src/training/store/postgres.ts";
import { postgresForFile } from "../support/postgres-for-file.ts";
import { storeContract } from "./store-contract.ts";

// One PostgreSQL for the file; each test gets its own database on it.
const server = postgresForFile();

async function admin<T>(use: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  try {
    return await use(c);
  } finally {
    await c.end();
  }
}

async function freshDatabase(): Promise<string> {
  const name = `mp_training_${randomBytes(5).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

storeContract("PostgreSQL", async () => {
  const url = await freshDatabase();
  return {
    open: () => PostgresTrainingStore.open(url),
    drop: async () => {
      const name = new URL(url).pathname.slice(1);
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
});

describe("PostgresTrainingStore", () => {
  it("lets two gateways start on one new database at once, and each sees the other's check-ins", async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([PostgresTrainingStore.open(url), PostgresTrainingStore.open(url)]);
    try {
      const seenByB: number[] = [];
      b.onSessionsChanged(() => seenByB.push(Date.now()));
      const t = Date.now();
      await a.insertUsers([
        {
          id: "u-aaaaaaaaaaaaaaaa",
          username: "kari",
          displayName: "Kari",
          email: null,
          role: "trainee",
          badge: null,
          disabled: false,
          passwordHash: null,
          createdAt: t,
          updatedAt: t,
        },
      ]);
      const started = Date.now();
      await a.startSession(
        {
          id: "s-1",
          machine: "lathe-1",
          userId: "u-aaaaaaaaaaaaaaaa",
          startedAt: t,
          source: "api",
          startedBy: "x",
        },
        "refuse",
      );
      const deadline = Date.now() + 1000;
      while (seenByB.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(seenByB.length).toBeGreaterThan(0);
      expect(seenByB[0]! - started).toBeLessThan(1000);
      expect((await b.openSessions()).map((s) => s.id)).toEqual(["s-1"]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("fails to open with a clear error when the server is unreachable", async () => {
    await expect(PostgresTrainingStore.open("postgres://postgres@127.0.0.1:1/none")).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});
