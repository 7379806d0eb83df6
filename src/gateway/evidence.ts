import type { Logger } from "pino";
import { type Catalogue, loadCatalogueFolder } from "../evidence/catalogue/load.ts";
import type { EvidenceConfig } from "../evidence/config.ts";
import { PostgresLedgerStore } from "../evidence/ledger/postgres-store.ts";
import { SqliteLedgerStore } from "../evidence/ledger/sqlite-store.ts";
import type { LedgerStore } from "../evidence/ledger/store.ts";
import { EvidenceService } from "../evidence/service.ts";

/**
 * The evidence ledger where the CLI (`maskinport evidence verify`) looks for
 * it: the gateway's local database (library.path), or — on a site whose
 * gateways share PostgreSQL for the roster — that same database, so there is
 * one chain per site. The competence catalogue is loaded (and checked, with
 * file and line) before anything is recorded.
 */
export async function openEvidence(options: {
  config: EvidenceConfig;
  libraryPath: string;
  postgresUrl: string | undefined;
  log: Logger;
}): Promise<{ service: EvidenceService; ledger: LedgerStore; catalogue: Catalogue; close(): Promise<void> }> {
  const catalogue = loadCatalogueFolder(options.config.catalogue);
  const log = options.log.child({ part: "evidence" });
  // A dropped idle connection is logged, not fatal: the pool reconnects. Only the message: no URL.
  const onIdleError = (err: Error) =>
    log.warn({ where: "evidence ledger", error: err.message }, "PostgreSQL connection lost; reconnecting");
  const store: LedgerStore = options.postgresUrl
    ? await PostgresLedgerStore.open(options.postgresUrl, onIdleError)
    : new SqliteLedgerStore(options.libraryPath);
  log.info({ goals: catalogue.goals.size, files: catalogue.files.length }, "evidence catalogue loaded");
  return {
    service: new EvidenceService({ store, catalogue, log }),
    ledger: store,
    catalogue,
    close: () => store.close(),
  };
}
