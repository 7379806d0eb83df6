// A real InfluxDB 1.x for integration tests. npm test (scripts/test.sh) starts one and sets
// MASKINPORT_TEST_INFLUX_URL; otherwise each caller gets its own influxd on a
// free loopback port, which it may stop, kill and restart (fault injection).
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "./ports.ts";
import { ServiceProcess } from "./service-process.ts";

export const INFLUXD_BIN = "/usr/bin/influxd";

export type InfluxdOptions = {
  /** Always spawn an own influxd, even when MASKINPORT_TEST_INFLUX_URL is set (needed for kill/restart). */
  own?: boolean;
  /**
   * Turn on authentication and create this admin user before returning
   * (implies an own influxd). Requests without these credentials get 401.
   */
  admin?: { username: string; password: string };
  /** How long to wait for /ping after a (re)start. Default 15 s. */
  readyTimeoutMs?: number;
};

export type Influxd = {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** false for the influxd from MASKINPORT_TEST_INFLUX_URL: stop/kill/restart then throw or do nothing. */
  owned: boolean;
  /** Graceful stop (SIGTERM) and removal of its data. A no-op for an influxd we do not own. */
  stop(): Promise<void>;
  /** Abrupt stop (SIGKILL), data kept: restart() brings the same databases back. */
  kill(): Promise<void>;
  /** Graceful stop if running, then start again on the same port with the same data; waits for /ping. */
  restart(): Promise<void>;
  /** Stop it (SIGTERM) but keep the data, e.g. for a maintenance window; restart() starts it again. */
  pause(): Promise<void>;
};

async function pings(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    return res.status === 204;
  } catch {
    return false;
  }
}

function externalInfluxd(url: string): Influxd {
  const parsed = new URL(url);
  const notOwned = (): never => {
    throw new Error(
      `not owned: the influxd at MASKINPORT_TEST_INFLUX_URL (${parsed.host}) was started by npm test (scripts/test.sh); use startInfluxd({ own: true }) to stop/kill/restart one`,
    );
  };
  return {
    url: url.replace(/\/$/, ""),
    port: Number(parsed.port || 8086),
    owned: false,
    stop: async () => {},
    kill: async () => notOwned(),
    restart: async () => notOwned(),
    pause: async () => notOwned(),
  };
}

function configText(dir: string, httpPort: number, rpcPort: number, auth: boolean): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
  logging-enabled = false
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
  wal-fsync-delay = "0s"
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = ${auth}
  log-enabled = false
  pprof-enabled = false
[logging]
  level = "error"
`;
}

/**
 * Start (or reuse) an InfluxDB 1.x. Throws a message naming the package when
 * influxd is missing, and influxd's own output when it does not come up.
 */
export async function startInfluxd(opts: InfluxdOptions = {}): Promise<Influxd> {
  const envUrl = process.env.MASKINPORT_TEST_INFLUX_URL;
  if (envUrl && !opts.own && !opts.admin) return externalInfluxd(envUrl);
  if (!existsSync(INFLUXD_BIN)) {
    throw new Error(
      "influxd not installed: apt-get install influxdb (InfluxDB 1.x; npm test installs it and sets MASKINPORT_TEST_INFLUX_URL)",
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "maskinport-influxd-"));
  const [port, rpcPort] = (await freePorts(2)) as [number, number];
  const configFile = join(dir, "influxdb.conf");
  await writeFile(configFile, configText(dir, port, rpcPort, opts.admin !== undefined));
  const url = `http://127.0.0.1:${port}`;
  const readyMs = opts.readyTimeoutMs ?? 15_000;

  const server = new ServiceProcess({
    name: "influxd",
    bin: INFLUXD_BIN,
    configFlag: "-config",
    configFile,
    ready: () => pings(url),
    readyMs,
    readyMeans: `answer ${url}/ping`,
  });
  await server.launch();
  if (opts.admin) {
    // The first user may be created without credentials (and must be an admin).
    const q = `CREATE USER "${opts.admin.username}" WITH PASSWORD '${opts.admin.password.replace(/'/g, "\\'")}' WITH ALL PRIVILEGES`;
    const res = await fetch(`${url}/query`, { method: "POST", body: new URLSearchParams({ q }) });
    if (!res.ok)
      throw new Error(`influxd: creating the admin user failed: ${res.status} ${await res.text()}`);
  }
  return {
    url,
    port,
    owned: true,
    stop: async () => {
      await server.terminate("SIGTERM");
      await rm(dir, { recursive: true, force: true });
    },
    kill: async () => server.terminate("SIGKILL"),
    pause: async () => server.terminate("SIGTERM"),
    restart: async () => {
      await server.terminate("SIGTERM");
      await server.launch();
    },
  };
}

/** Run an InfluxQL statement over HTTP (test setup and assertions; not the code under test). */
export async function influxQuery(
  url: string,
  q: string,
  opts: { db?: string; auth?: { username: string; password: string } } = {},
): Promise<InfluxQueryResult> {
  const params = new URLSearchParams({ q, epoch: "ms" });
  if (opts.db) params.set("db", opts.db);
  const headers: Record<string, string> = {};
  if (opts.auth) {
    headers.authorization = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64")}`;
  }
  const res = await fetch(`${url}/query`, { method: "POST", body: params, headers });
  const text = await res.text();
  if (!res.ok) throw new Error(`influx query failed (${res.status}): ${text} — ${q}`);
  return JSON.parse(text) as InfluxQueryResult;
}

export type InfluxQueryResult = {
  results: {
    statement_id: number;
    error?: string;
    series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
  }[];
};

/** The single number of a `SELECT count(x) …` (0 when there are no rows). */
export async function influxCount(url: string, db: string, q: string): Promise<number> {
  const r = await influxQuery(url, q, { db });
  const first = r.results[0];
  if (first?.error) throw new Error(`influx count failed: ${first.error} — ${q}`);
  const value = first?.series?.[0]?.values[0]?.[1];
  return typeof value === "number" ? value : 0;
}
