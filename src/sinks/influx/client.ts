import { InfluxDB, type IPoolOptions } from "influx";
import { redactUrl } from "../../core/url-credentials.ts";

type IBackoffStrategy = NonNullable<IPoolOptions["backoff"]>;

// The connection settings of `timeseries.influx` and the one place that builds
// an `influx` client from them (the sink writes with it, the history queries
// read with it), plus what an error from InfluxDB means for us.

export type InfluxConnection = {
  /** http(s)://host:port[/path] of InfluxDB 1.x, or the v1-compatible API of 2.x/3.x. */
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** InfluxDB 2.x/3.x API token: sent as `Authorization: Token …` (instead of username/password). */
  token?: string;
  retentionPolicy?: string;
  /** Per HTTP request. Default 10 s. */
  requestTimeoutMs?: number;
};

// The package's pool would take a host out of service for a while after a
// network error and retry on its own; our sink owns retrying (capped backoff
// with jitter, logged once per outage), so the pool must never do either.
const NEVER_DISABLE: IBackoffStrategy = {
  getDelay: () => 0,
  next() {
    return NEVER_DISABLE;
  },
  reset() {
    return NEVER_DISABLE;
  },
};

/** The URL without credentials, for logs and messages. */
export function redactInfluxUrl(url: string): string {
  return redactUrl(url, "InfluxDB");
}

export function createInfluxClient(c: InfluxConnection): InfluxDB {
  let u: URL;
  try {
    u = new URL(c.url);
  } catch {
    throw new Error(
      `invalid timeseries.influx.url ${redactInfluxUrl(c.url)}: expected http://host:8086 or https://host:8086`,
    );
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new Error(
      `invalid timeseries.influx.url: unsupported scheme "${u.protocol}" (use http:// or https://)`,
    );
  }
  const username = c.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
  const password = c.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
  return new InfluxDB({
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 8086,
    protocol: u.protocol === "https:" ? "https" : "http",
    path: u.pathname === "/" ? "" : u.pathname.replace(/\/$/, ""),
    database: c.database,
    // null, not undefined: the package fills undefined with root/root and would send
    // Basic credentials, which a token-only (2.x/3.x) server refuses.
    username: (c.token ? null : (username ?? null)) as string | undefined,
    password: (c.token ? null : (password ?? null)) as string | undefined,
    options: c.token ? { headers: { Authorization: `Token ${c.token}` } } : {},
    pool: { maxRetries: 0, requestTimeout: c.requestTimeoutMs ?? 10_000, backoff: NEVER_DISABLE },
  });
}

/** What a failed request means for the sink. */
export type InfluxFailure =
  /** 400: some points are bad (the good ones of the batch were kept). */
  | { kind: "bad-points"; status: number; message: string; dropped: number | undefined }
  /** 413: the body is too large: split it. */
  | { kind: "too-large"; status: number; message: string }
  /** 401/403: credentials or permissions: a configuration problem. */
  | { kind: "auth"; status: number; message: string }
  /** 404 database not found. */
  | { kind: "no-database"; status: number; message: string }
  /**
   * The configured retention policy does not exist. InfluxDB 1.x answers 500,
   * whose body the package drops, so start() checks the policy by query instead.
   */
  | { kind: "no-retention-policy"; status: number; message: string }
  /** Anything else (unreachable, timeout, 5xx): retry later. */
  | { kind: "transient"; status: number | undefined; message: string };

export function classifyInfluxError(err: unknown): InfluxFailure {
  const e = err as Error & { res?: { statusCode?: number }; code?: string };
  const status = e.res?.statusCode;
  // RequestError messages are "A 400 Bad Request error occurred: {"error":"…"}": keep InfluxDB's own words.
  const body = /error occurred: ([\s\S]*)$/.exec(e.message ?? "")?.[1];
  let message = e.code ? `${e.code}: ${e.message}` : (e.message ?? String(err));
  if (body) {
    try {
      message = (JSON.parse(body) as { error?: string }).error ?? body;
    } catch {
      message = body;
    }
  }
  message = message.trim().slice(0, 2000);
  if (status === 400) {
    const dropped = /dropped=(\d+)/.exec(message)?.[1];
    return {
      kind: "bad-points",
      status,
      message,
      dropped: dropped === undefined ? undefined : Number(dropped),
    };
  }
  if (status === 413) return { kind: "too-large", status, message };
  if (status === 401 || status === 403) return { kind: "auth", status, message };
  if (status === 404 && /database not found/i.test(message)) return { kind: "no-database", status, message };
  if (/retention policy not found/i.test(message))
    return { kind: "no-retention-policy", status: status ?? 500, message };
  return { kind: "transient", status, message };
}

/** The sentence for a 401/403, naming the keys to fix. */
export function authProblem(url: string, f: { status: number; message: string }): string {
  return `InfluxDB ${redactInfluxUrl(url)} refused the credentials (${f.status} ${f.message}): check timeseries.influx.username / password (InfluxDB 1.x) or timeseries.influx.token (2.x/3.x), and that the user may write to the database`;
}

export function noDatabaseProblem(url: string, database: string): string {
  return `InfluxDB ${redactInfluxUrl(url)} has no database "${database}": create it (CREATE DATABASE "${database}"), set timeseries.influx.createDatabase: true, or fix timeseries.influx.database`;
}

export function noRetentionPolicyProblem(url: string, database: string, rp: string | undefined): string {
  return `InfluxDB ${redactInfluxUrl(url)} has no retention policy "${rp}" on database "${database}": create it or fix timeseries.influx.retentionPolicy`;
}
