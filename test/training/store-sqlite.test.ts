import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { SqliteTrainingStore } from "../../src/training/store/sqlite.ts";
import { storeContract } from "./store-contract.ts";

storeContract("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "maskinport-training-"));
  const file = join(dir, "sub", "training.db");
  return {
    open: async () => new SqliteTrainingStore(file),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe("SqliteTrainingStore", () => {
  it("uses WAL and refuses a database from a newer Maskinport", async () => {
    const dir = mkdtempSync(join(tmpdir(), "maskinport-training-"));
    try {
      const file = join(dir, "training.db");
      await new SqliteTrainingStore(file).close();
      const raw = new DatabaseSync(file);
      expect(raw.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
      raw.exec("PRAGMA user_version = 99");
      raw.close();
      expect(() => new SqliteTrainingStore(file)).toThrow(/schema version 99 is newer .* upgrade Maskinport/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
