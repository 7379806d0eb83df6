import { type PostgresStoreOptions, PostgresTrainingStore } from "./postgres.ts";
import { SqliteTrainingStore } from "./sqlite.ts";
import type { TrainingStore } from "./types.ts";

/** The site's shared PostgreSQL when configured, else the embedded SQLite file. */
export async function openTrainingStore(
  where: { path: string; postgres?: { url: string } | undefined },
  opts: PostgresStoreOptions = {},
): Promise<TrainingStore> {
  if (where.postgres) return PostgresTrainingStore.open(where.postgres.url, opts);
  return new SqliteTrainingStore(where.path);
}
