// A real PostgreSQL for integration tests. CI (the test script) may start one
// and set MASKINPORT_TEST_PG_URL; each caller then gets a fresh database on it,
// dropped again by stop(). Without the variable the caller gets a throwaway
// cluster of its own (Debian's postgresql binaries, initdb in a temp folder,
// loopback only, trust auth), so a test never depends on another's data.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./ports.ts";
import { ServiceProcess } from "./service-process.ts";

export type Postgres = {
  /** postgres://… of a fresh, empty database only this caller uses. */
  url: string;
  /** false for a database on the server from MASKINPORT_TEST_PG_URL. */
  owned: boolean;
  /** Drops the database (shared server) or stops the own cluster and removes its folder. */
  stop(): Promise<void>;
};

const PG_ROOT = "/usr/lib/postgresql";

function postgresBinDir(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => existsSync(join(PG_ROOT, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      "postgresql not installed: apt-get install postgresql (the test script installs and starts it)",
    );
  }
  return join(PG_ROOT, versions[0] as string, "bin");
}

/** Runs as root in CI and containers; PostgreSQL refuses root, so drop to the "postgres" user. */
function asServiceUser(command: string[]): string[] {
  if (process.getuid?.() !== 0) return command;
  return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", ...command];
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(serverUrl: string): Promise<string> {
  const name = `mp_test_${randomBytes(6).toString("hex")}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(serverUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

async function canQuery(url: string): Promise<boolean> {
  try {
    await withClient(url, (c) => c.query("SELECT 1"));
    return true;
  } catch {
    return false;
  }
}

export async function startPostgres(): Promise<Postgres> {
  const shared = process.env.MASKINPORT_TEST_PG_URL;
  if (shared) {
    const url = await createDatabase(shared);
    return { url, owned: false, stop: () => dropDatabase(shared, url) };
  }

  const bin = postgresBinDir();
  const dir = await mkdtemp(join(tmpdir(), "maskinport-postgres-"));
  const data = join(dir, "data");
  if (process.getuid?.() === 0) chownSync(dir, uidOf("postgres"), gidOf("postgres"));
  const [initdb, ...initArgs] = asServiceUser([
    join(bin, "initdb"),
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "postgres",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  execFileSync(initdb as string, initArgs, { stdio: "pipe" });

  const port = await freePort();
  await writeFile(
    join(data, "postgresql.auto.conf"),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      "fsync = off", // a test cluster: speed over durability
      "synchronous_commit = off",
      "full_page_writes = off",
      "max_connections = 50",
    ].join("\n"),
  );
  if (process.getuid?.() === 0)
    chownSync(join(data, "postgresql.auto.conf"), uidOf("postgres"), gidOf("postgres"));

  // ServiceProcess runs "<bin> <flag> <file>"; a tiny wrapper adds the user switch.
  const wrapper = join(dir, "postgres.sh");
  await writeFile(wrapper, `#!/bin/sh\nexec ${asServiceUser([join(bin, "postgres")]).join(" ")} "$@"\n`, {
    mode: 0o755,
  });
  const serverUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const server = new ServiceProcess({
    name: "postgres",
    bin: wrapper,
    configFlag: "-D",
    configFile: data,
    ready: () => canQuery(serverUrl),
    readyMs: 15_000,
    readyMeans: `accept queries on 127.0.0.1:${port}`,
  });
  await server.launch();
  const url = await createDatabase(serverUrl);
  return {
    url,
    owned: true,
    stop: async () => {
      await server.terminate("SIGINT"); // "fast" shutdown: SIGTERM would wait for open clients
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function idOf(flag: "-u" | "-g", user: string): number {
  return Number(execFileSync("id", [flag, user]).toString().trim());
}
const uidOf = (user: string): number => idOf("-u", user);
const gidOf = (user: string): number => idOf("-g", user);
