import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";
import type { PipelineOutput } from "../core/contracts.ts";
import type { MachineSnapshot } from "../core/events.ts";
import { clientAddressOf, normalizeAddress } from "./client-address.ts";
import { LiveEventHub } from "./live-hub.ts";
import { livePageConfig, renderLivePage } from "./live-page.ts";
import { fleetView, type HistorySource, type MachineInfo, machineRoutes } from "./machine-routes.ts";
import { type HealthReport, opsRoutes } from "./ops-routes.ts";
import { applySecurityHeaders, sendBody, sendError } from "./responses.ts";
import { createRouter, type Route } from "./router.ts";
import { loadStaticAssets, type StaticAsset } from "./static-assets.ts";

export type WebDeps = {
  /** Current state of every machine. */
  snapshots(): MachineSnapshot[];
  /** Configured machines, in the order the page shows them. */
  machines(): MachineInfo[];
  /** Subscribe to pipeline output; returns the unsubscribe function. */
  onUpdate(listener: (out: PipelineOutput) => void): () => void;
  health(): HealthReport;
  metrics: Registry;
  history?: HistorySource;
  /** IANA zone the page shows times in, e.g. Europe/Oslo. */
  timeZone: string;
  /**
   * Who may open the live stream at all. Without it, everyone who reaches the
   * web port may (the wall screen needs no login today); the dashboard's
   * login plugs in here with a session check.
   */
  liveAccess?: LiveAccess;
  log: Logger;
};

/** A decision on one /events request: let it stream, or answer 401 (log in first) / 403 (not for you). */
export type LiveAccess = (
  req: IncomingMessage,
) => { allowed: true } | { allowed: false; status: 401 | 403; message: string };

/** Knobs with production defaults; tests turn them down to stay fast. */
export type WebTuning = {
  heartbeatMs: number;
  signalThrottleMs: number;
  maxLiveClients: number;
  /** Live streams one client address may hold (config web.maxStreamsPerClient). */
  maxLiveClientsPerAddress: number;
  /** Proxies whose X-Forwarded-For is believed (config web.trustedProxies). */
  trustedProxies: readonly string[];
  maxBufferedBytes: number;
  now: () => number;
};

export const DEFAULT_TUNING: WebTuning = {
  heartbeatMs: 15_000,
  signalThrottleMs: 250,
  maxLiveClients: 200,
  // A wall screen, a phone and a few tabs per computer; behind one school NAT raise it.
  maxLiveClientsPerAddress: 8,
  trustedProxies: [],
  maxBufferedBytes: 1 << 20,
  now: Date.now,
};

export type WebApp = {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Ends every live stream and releases timers and metrics. Idempotent. */
  close(): void;
  /** Connected event-stream clients (also exported as maskinport_web_live_clients). */
  liveClientCount(): number;
};

/**
 * The gateway's HTTP side as a plain request handler: build it here, hand it
 * to startWebServer (or any node:http server) to listen. Tests call the same
 * handler on an ephemeral port.
 */
export function createWebApp(deps: WebDeps, tuning: Partial<WebTuning> = {}): WebApp {
  const options: WebTuning = { ...DEFAULT_TUNING, ...tuning };
  assertTimeZone(deps.timeZone);
  const log = deps.log.child({ component: "web" });

  const fleet = { machines: deps.machines, snapshots: deps.snapshots, now: options.now };
  const hub = new LiveEventHub({
    subscribe: deps.onUpdate,
    initial: () => fleetView(fleet),
    heartbeatMs: options.heartbeatMs,
    signalThrottleMs: options.signalThrottleMs,
    maxClients: options.maxLiveClients,
    maxClientsPerAddress: options.maxLiveClientsPerAddress,
    maxBufferedBytes: options.maxBufferedBytes,
    log,
  });
  const page = renderLivePage(
    livePageConfig({ timeZone: deps.timeZone, history: deps.history !== undefined }),
  );
  const assets = loadStaticAssets();
  const trustedProxies = new Set(options.trustedProxies.map(normalizeAddress));
  const webMetrics = registerWebMetrics(deps.metrics, () => hub.clientCount);

  const routes: Route[] = [
    { method: "GET", path: "/", handle: ({ req, res }) => sendAsset(req, res, page) },
    {
      method: "GET",
      path: "/assets/:name",
      handle: ({ req, res, params }) => {
        const asset = assets.get(params.name!);
        if (asset === undefined)
          return sendError(res, 404, "not_found", `no asset named ${JSON.stringify(params.name)}`);
        sendAsset(req, res, asset);
      },
    },
    {
      method: "GET",
      path: "/events",
      handle: ({ req, res }) => {
        // A stream never ends, so HEAD (headers only) must not be one.
        if (req.method === "HEAD") return sendBody(res, 200, "text/event-stream; charset=utf-8", "");
        const access = deps.liveAccess?.(req) ?? { allowed: true };
        if (!access.allowed) {
          return sendError(
            res,
            access.status,
            access.status === 401 ? "login_required" : "forbidden",
            access.message,
          );
        }
        const address = clientAddressOf(
          req.socket.remoteAddress,
          req.headers["x-forwarded-for"],
          trustedProxies,
        );
        switch (hub.accept(req, res, address)) {
          case "accepted":
            return;
          case "address-limit":
            return sendError(
              res,
              429,
              "too_many_streams",
              `${address} already has ${options.maxLiveClientsPerAddress} live views open; close a tab or window (web.maxStreamsPerClient)`,
              { limit: options.maxLiveClientsPerAddress },
              { "Retry-After": "10" },
            );
          case "full":
          case "closed":
            return sendError(
              res,
              503,
              "too_many_clients",
              "the live view is at its client limit; try again shortly",
              {},
              { "Retry-After": "10" },
            );
        }
      },
    },
    ...machineRoutes(fleet, deps.history),
    ...opsRoutes(deps.health, deps.metrics),
  ];
  const router = createRouter(routes);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    applySecurityHeaders(res);
    const target = req.url ?? "/";
    const queryStart = target.indexOf("?");
    const path = queryStart < 0 ? target : target.slice(0, queryStart);
    const query = new URLSearchParams(queryStart < 0 ? "" : target.slice(queryStart + 1));
    const match = router.match(req.method ?? "GET", path);
    let routeLabel = "unmatched";
    try {
      switch (match.kind) {
        case "found":
          routeLabel = match.route.path;
          await match.route.handle({ req, res, query, params: match.params });
          break;
        case "method-not-allowed":
          sendError(
            res,
            405,
            "method_not_allowed",
            `${req.method} is not allowed here; use ${match.allow.join(" or ")}`,
            {},
            {
              Allow: match.allow.join(", "),
            },
          );
          break;
        case "bad-path":
          sendError(res, 400, "bad_path", match.message);
          break;
        case "not-found":
          sendError(
            res,
            404,
            "not_found",
            `nothing at ${JSON.stringify(path.slice(0, 200))}; see GET / or /api/machines`,
          );
          break;
      }
    } catch (err) {
      // The log gets the stack; the client gets a plain sentence.
      log.error({ err, method: req.method, route: routeLabel }, "web request failed");
      if (!res.headersSent) {
        sendError(
          res,
          500,
          "internal_error",
          "the gateway could not answer this request; the gateway log has details",
        );
      } else {
        res.destroy();
      }
    } finally {
      webMetrics.requests.inc({ route: routeLabel, status: String(res.statusCode) });
    }
  }

  let closed = false;
  return {
    handler: (req, res) => void handle(req, res),
    close() {
      if (closed) return;
      closed = true;
      hub.close();
      webMetrics.unregister();
    },
    liveClientCount: () => hub.clientCount,
  };
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: StaticAsset): void {
  const headers = { ETag: asset.etag, "Cache-Control": "no-cache" };
  if (req.headers["if-none-match"] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  sendBody(res, 200, asset.contentType, asset.body, headers);
}

function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    throw new Error(
      `web: timeZone ${JSON.stringify(timeZone)} is not an IANA time zone; use e.g. "Europe/Oslo"`,
    );
  }
}

const LIVE_CLIENTS = "maskinport_web_live_clients";
const HTTP_REQUESTS = "maskinport_http_requests_total";

/**
 * The web layer's own metrics, registered on the gateway's registry. Replaces
 * leftovers of an earlier app on the same registry (a restart in-process, or
 * tests) instead of failing on "already registered".
 */
function registerWebMetrics(registry: Registry, liveClients: () => number) {
  for (const name of [LIVE_CLIENTS, HTTP_REQUESTS]) registry.removeSingleMetric(name);
  new Gauge({
    name: LIVE_CLIENTS,
    help: "Browsers connected to the live event stream (/events)",
    registers: [registry],
    collect() {
      this.set(liveClients());
    },
  });
  const requests = new Counter({
    name: HTTP_REQUESTS,
    help: "HTTP requests answered, by route pattern and status code",
    labelNames: ["route", "status"] as const,
    registers: [registry],
  });
  return {
    requests,
    unregister() {
      for (const name of [LIVE_CLIENTS, HTTP_REQUESTS]) registry.removeSingleMetric(name);
    },
  };
}
