import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/load.ts";
import { CatalogueError, loadCatalogueFolder } from "../evidence/catalogue/load.ts";
import { actorHomePage, defaultEvidenceConfig, evidenceConfigSchema } from "../evidence/config.ts";
import { PostgresLedgerStore } from "../evidence/ledger/postgres-store.ts";
import { SqliteLedgerStore } from "../evidence/ledger/sqlite-store.ts";
import type { LedgerStore } from "../evidence/ledger/store.ts";
import { verifyChain } from "../evidence/verify/verify.ts";
import { exportStatements, JsonArrayFileSink } from "../evidence/xapi/export.ts";
import { PostgresUnavailableError } from "../training/store/postgres-errors.ts";

const USAGE = `Usage:
  maskinport evidence verify [--config FILE | --db FILE | --postgres URL]
      recompute the evidence chain; exit 0 when sound, 1 naming the first broken record
  maskinport evidence export --xapi OUT.json [--config FILE | --db FILE | --postgres URL]
                            [--home-page URL] [--catalogue DIR]
      every evidence record and sign-off as validated xAPI statements (a JSON array)

The ledger is the gateway's local database (library.path in the config, default
config/demo.yaml), a SQLite file given with --db, or a shared PostgreSQL with --postgres.`;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  config: { type: "string" },
  db: { type: "string" },
  postgres: { type: "string" },
  xapi: { type: "string" },
  "home-page": { type: "string" },
  catalogue: { type: "string" },
} as const;

export type Values = {
  config?: string;
  db?: string;
  postgres?: string;
  xapi?: string;
  "home-page"?: string;
  catalogue?: string;
};

export type OpenedLedger = {
  store: LedgerStore;
  site: string;
  label: string;
  homePage?: string;
  catalogueDir: string;
};

export class UsageError extends Error {}

/** The ledger named by --config / --db / --postgres (also used by `maskinport trainees`). */
export async function openStore(v: Values): Promise<OpenedLedger> {
  if ([v.config, v.db, v.postgres].filter(Boolean).length > 1)
    throw new UsageError("give one of --config, --db, --postgres");
  const catalogueDir = resolve(v.catalogue ?? "config/competence");
  if (v.postgres) {
    return {
      store: await PostgresLedgerStore.open(v.postgres),
      site: "site",
      label: "postgres",
      catalogueDir,
    };
  }
  if (v.db) return { store: new SqliteLedgerStore(resolve(v.db)), site: "site", label: v.db, catalogueDir };
  const file = v.config ?? "config/demo.yaml";
  const cfg = loadConfig(file);
  const evidence = cfg.evidence ?? evidenceConfigSchema.parse({});
  // Where the gateway keeps it: the site's PostgreSQL when training.postgres is set, else library.path.
  const shared = cfg.training?.postgres?.url;
  return {
    store: shared ? await PostgresLedgerStore.open(shared) : new SqliteLedgerStore(cfg.library.path),
    site: cfg.site,
    label: shared ? "postgres (training.postgres)" : cfg.library.path,
    homePage: actorHomePage(evidence, cfg.site),
    catalogueDir: v.catalogue ? catalogueDir : resolve(dirname(file), evidence.catalogue),
  };
}

async function verify(v: Values): Promise<number> {
  const { store, label } = await openStore(v);
  try {
    const t0 = performance.now();
    const res = await verifyChain(store.scan(), await store.head());
    const secs = ((performance.now() - t0) / 1000).toFixed(2);
    if (res.ok) {
      const head = res.head ? `head #${res.head.seq} ${res.head.hash}` : "empty ledger";
      console.log(`ok: ${res.records} records verified in ${secs} s (${label}); ${head}`);
      return 0;
    }
    console.error(`BROKEN at record ${res.firstBroken.seq}: ${res.firstBroken.message}`);
    console.error(`(${res.records} records read before it; ${label})`);
    return 1;
  } finally {
    await store.close();
  }
}

async function exportXapi(v: Values): Promise<number> {
  if (!v.xapi) throw new UsageError("export needs --xapi OUT.json");
  const opened = await openStore(v);
  const { store } = opened;
  try {
    const homePage = v["home-page"] ?? opened.homePage ?? actorHomePage(defaultEvidenceConfig(), opened.site);
    if (!/^https?:\/\/\S+$/.test(homePage))
      throw new UsageError(`--home-page must be a URL, got "${homePage}"`);
    const catalogue = loadCatalogueFolder(opened.catalogueDir);
    // First pass: whose key is gone. Their records stay in the chain but are not exported.
    const erased = new Set<string>();
    for await (const r of store.scan()) if (r.type === "subject.erased" && r.subject) erased.add(r.subject);
    const sink = new JsonArrayFileSink(v.xapi);
    const res = await exportStatements(
      store.scan(),
      { homePage, catalogue, actorName: (s) => (erased.has(s) ? undefined : s) },
      sink,
    );
    await sink.close();
    console.log(`wrote ${res.statements} statements from ${res.records} records to ${v.xapi}`);
    return 0;
  } finally {
    await store.close();
  }
}

/** `maskinport evidence verify|export`. */
export async function runEvidenceCli(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
    console.log(USAGE);
    return sub ? 0 : 2;
  }
  try {
    const { values } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (sub === "verify") return await verify(values);
    if (sub === "export") return await exportXapi(values);
    throw new UsageError(`unknown evidence command "${sub}"`);
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof CatalogueError ||
      err instanceof PostgresUnavailableError
    ) {
      console.error(err.message);
      return 1;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`maskinport evidence: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}
