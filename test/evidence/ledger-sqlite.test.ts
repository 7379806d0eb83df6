import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { SqliteLedgerStore } from "../../src/evidence/ledger/sqlite-store.ts";
import { ledgerContract } from "./ledger-contract.ts";

const dir = mkdtempSync(join(tmpdir(), "maskinport-ledger-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

ledgerContract("sqlite", async () => {
  const file = join(dir, `ledger-${++n}.db`);
  const store = new SqliteLedgerStore(file);
  return {
    store,
    openAnother: async () => new SqliteLedgerStore(file),
    exec: async (sql) => {
      store.database.exec(sql);
    },
  };
});
