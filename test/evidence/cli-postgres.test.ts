import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresLedgerStore } from "../../src/evidence/ledger/postgres-store.ts";
import { type Postgres, startPostgres } from "../support/postgres.ts";
import { body } from "./ledger-contract.ts";

// A site whose gateways share PostgreSQL keeps the ledger there: `evidence
// verify --config FILE` must check that ledger, not an empty SQLite file next
// to the config.
const BIN = join(import.meta.dirname, "../../bin/maskinport.mjs");
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "mp-evidence-cli-pg-"));
let pg: Postgres;

beforeAll(async () => {
  pg = await startPostgres();
  const store = await PostgresLedgerStore.open(pg.url);
  await store.append(Array.from({ length: 12 }, (_, i) => body(i + 1, { subject: "b".repeat(32) })));
  await store.close();
  writeFileSync(
    join(dir, "site.yaml"),
    [
      "site: raufoss",
      "gateway: { id: gw-1 }",
      "mqtt: { embedded: { port: 1883 } }",
      "training:",
      `  postgres: { url: "${pg.url}" }`,
      "  pseudonymSecret: a-long-enough-site-secret-for-tests",
      "machines:",
      "  - { id: lathe-1, name: Lathe, kind: lathe }",
      "",
    ].join("\n"),
  );
}, 60_000);
afterAll(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("maskinport evidence verify --config on a PostgreSQL site", { timeout: 60_000 }, () => {
  it("verifies the shared ledger named by training.postgres", async () => {
    const { stdout } = await run(process.execPath, [
      BIN,
      "evidence",
      "verify",
      "--config",
      join(dir, "site.yaml"),
    ]);
    expect(stdout).toMatch(/^ok: 12 records verified/);
    expect(stdout).toContain("postgres");
  });
});
