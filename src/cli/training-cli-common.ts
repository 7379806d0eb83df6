import type { Readable, Writable } from "node:stream";
import { ConfigError, loadConfig } from "../config/load.ts";
import type { MaskinportConfig } from "../config/schema.ts";
import { openTrainingStore } from "../training/store/open.ts";
import type { TrainingStore } from "../training/store/types.ts";

// What `maskinport users` and `maskinport courses` share: where the training
// store is, and the streams they talk on (tests run them as processes).
//
// The store is the one a site config names (--config FILE: its `training:`
// section, as the gateway opens it), or named directly: --db FILE (default
// data/training.db), or a PostgreSQL URL in MASKINPORT_TRAINING_POSTGRES_URL
// (not on the command line, where `ps` would show its password) or --postgres URL.

export type CliIo = { stdout: Writable; stderr: Writable; stdin: Readable };

export const STORE_OPTIONS = {
  config: { type: "string" },
  db: { type: "string" },
  postgres: { type: "string" },
} as const;

export const STORE_USAGE = `Store: --config FILE (the site config's training section, as the gateway uses it),
       --db FILE (default data/training.db), or PostgreSQL via
       MASKINPORT_TRAINING_POSTGRES_URL (or --postgres URL)`;

export async function openStoreFromArgs(values: {
  config?: string;
  db?: string;
  postgres?: string;
}): Promise<TrainingStore> {
  const url = values.postgres ?? process.env.MASKINPORT_TRAINING_POSTGRES_URL;
  if (values.config && !values.db && !url) {
    const training = trainingSectionOf(values.config);
    return openTrainingStore({ path: training.path, postgres: training.postgres });
  }
  return openTrainingStore({ path: values.db ?? "data/training.db", postgres: url ? { url } : undefined });
}

/** Where the store is cannot be told: a bad --config, or one without a training section. */
export class StoreLocationError extends Error {}

function trainingSectionOf(file: string): NonNullable<MaskinportConfig["training"]> {
  let config: MaskinportConfig;
  try {
    config = loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new StoreLocationError(err.message);
    throw err;
  }
  if (!config.training) {
    throw new StoreLocationError(
      `${file} has no training: section, so its gateway keeps no users; add one (src/training/README.md) or give --db FILE`,
    );
  }
  return config.training;
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

/** The password piped on stdin (one line; the trailing newline is not part of it). */
export async function passwordFromStdin(stdin: Readable): Promise<string> {
  return (await readAll(stdin)).replace(/\r?\n$/, "");
}

export function say(out: Writable, text: string): void {
  out.write(`${text}\n`);
}

/** Fixed-width columns for a terminal table. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
