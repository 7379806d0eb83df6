import { afterAll, beforeAll } from "vitest";
import { PostgresLedgerStore } from "../../src/evidence/ledger/postgres-store.ts";
import { type Postgres, startPostgres } from "../support/postgres.ts";
import { ledgerContract } from "./ledger-contract.ts";

let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

ledgerContract("postgres", async () => {
  const store = await PostgresLedgerStore.open(pg.url);
  // One database for the file: every test starts from an empty ledger.
  await store.query("TRUNCATE evidence_records, evidence_person_keys, evidence_notes");
  await store.query("UPDATE evidence_head SET seq = 0, hash = $1", ["0".repeat(64)]);
  return {
    store,
    openAnother: () => PostgresLedgerStore.open(pg.url),
    exec: async (sql) => {
      await store.query(sql);
    },
  };
});
