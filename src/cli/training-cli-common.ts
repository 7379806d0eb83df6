import type { Readable, Writable } from "node:stream";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/load.ts";
import type { MaskinportConfig } from "../config/schema.ts";
import { UserInputError } from "../training/people/users.ts";
import { openTrainingStore } from "../training/store/open.ts";
import { PostgresUnavailableError } from "../training/store/postgres-errors.ts";
import { StoreConflictError, type TrainingStore } from "../training/store/types.ts";
import { openSessionStore } from "../web/auth/open-session-store.ts";

// What `maskinport users`, `courses` and `trainees` share: how their command
// line is read and refused, where the training store is, and the streams they
// talk on (tests run them as processes).
//
// The store is the one a site config names (--config FILE: its `training:`
// section, as the gateway opens it), or named directly: --db FILE (default
// data/training.db), or a PostgreSQL URL in MASKINPORT_TRAINING_POSTGRES_URL
// (not on the command line, where `ps` would show its password) or --postgres URL.

export type CliIo = { stdout: Writable; stderr: Writable; stdin: Readable };

type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

type ParsedValues<O extends OptionSpecs> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>["values"];

/** `maskinport <command> <subcommand> ARGS… --options`, read, with the two ways to refuse it. */
export type SubcommandLine<O extends OptionSpecs> = {
  values: ParsedValues<O>;
  sub: string;
  args: string[];
  /** The line is wrong: the message and the usage on stderr; exit code 2. */
  usageError(message: string): number;
  /** The line was fine but the work failed: the message on stderr; exit code 1. */
  fail(message: string): number;
};

/**
 * Reads a subcommand line the same way for every training command: an unknown
 * option prints its error and the usage (exit 2); --help prints the usage on
 * stdout (exit 0); no subcommand prints it on stderr (exit 2). A number
 * returned is that exit code, already reported; otherwise the line to act on.
 */
export function readSubcommandLine<const O extends OptionSpecs>(
  command: string,
  usage: string,
  options: O,
  argv: string[],
  io: CliIo,
): SubcommandLine<O> | number {
  let parsed: { values: ParsedValues<O>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    say(io.stderr, `maskinport ${command}: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, ...args] = positionals;
  // Every training command has --help; its type is lost in the generic values.
  const help = (values as { help?: boolean }).help === true;
  if (help || !sub) {
    say(help ? io.stdout : io.stderr, usage);
    return help ? 0 : 2;
  }
  return {
    values,
    sub,
    args,
    usageError: (message) => {
      say(io.stderr, `maskinport ${command} ${sub}: ${message}\n\n${usage}`);
      return 2;
    },
    fail: (message) => {
      say(io.stderr, `maskinport ${command}: ${message}`);
      return 1;
    },
  };
}

export const STORE_OPTIONS = {
  config: { type: "string" },
  db: { type: "string" },
  postgres: { type: "string" },
} as const;

export const STORE_USAGE = `Store: --config FILE (the site config's training section, as the gateway uses it),
       --db FILE (default data/training.db), or PostgreSQL via
       MASKINPORT_TRAINING_POSTGRES_URL (or --postgres URL)`;

/** Where the training store is: a SQLite file, or the site's PostgreSQL when `postgres` is set. */
export type StoreLocation = { path: string; postgres?: { url: string } | undefined };

export function storeLocationFromArgs(values: {
  config?: string;
  db?: string;
  postgres?: string;
}): StoreLocation {
  const url = values.postgres ?? process.env.MASKINPORT_TRAINING_POSTGRES_URL;
  if (values.config && !values.db && !url) {
    const training = trainingSectionOf(values.config);
    return { path: training.path, postgres: training.postgres };
  }
  return { path: values.db ?? "data/training.db", postgres: url ? { url } : undefined };
}

/**
 * End every web login of `userId` in the session store beside the training
 * store (the one the gateways use: the same SQLite file or PostgreSQL), so a
 * disabled, re-passworded or erased person is logged out on every gateway at
 * once. Returns how many live logins ended.
 */
export async function endWebLogins(where: StoreLocation, userId: string): Promise<number> {
  const sessions = await openSessionStore(where);
  try {
    return await sessions.destroyUser(userId);
  } finally {
    await sessions.close();
  }
}

/** "1 web login ended" / "3 web logins ended", for the CLI's answers. */
export function webLoginsEnded(count: number): string {
  return `${count} web login${count === 1 ? "" : "s"} ended`;
}

/**
 * Opens the store the options name, runs `work` on it (with where it is, for
 * the web sessions beside it) and closes it again.
 * What a person at the terminal can fix is `fail` (exit 1), not a stack
 * trace: a store that cannot be located or reached, input the services
 * refuse, a conflict (a username or badge already taken).
 */
export async function runOnTrainingStore(
  values: { config?: string; db?: string; postgres?: string },
  fail: (message: string) => number,
  work: (store: TrainingStore, where: StoreLocation) => Promise<number>,
): Promise<number> {
  let store: TrainingStore;
  let where: StoreLocation;
  try {
    where = storeLocationFromArgs(values);
    store = await openTrainingStore(where);
  } catch (err) {
    if (err instanceof StoreLocationError || err instanceof PostgresUnavailableError)
      return fail(err.message);
    throw err;
  }
  try {
    return await work(store, where);
  } catch (err) {
    if (
      err instanceof UserInputError ||
      err instanceof StoreConflictError ||
      err instanceof PostgresUnavailableError
    )
      return fail(err.message);
    throw err;
  } finally {
    await store.close();
  }
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
