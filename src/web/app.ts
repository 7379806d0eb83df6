import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import fastifyRateLimit from "@fastify/rate-limit";
import fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { PipelineOutput } from "../core/contracts.ts";
import type { MachineSnapshot } from "../core/events.ts";
import { configRoutes, type SiteConfigSource } from "./admin/config-routes.ts";
import { AlarmAckLog, alarmAckRoutes } from "./alarm-acks.ts";
import {
  type AccessControl,
  createAccessControl,
  PUBLIC_ACCESS,
  requireAccessDeclarations,
} from "./auth/access.ts";
import type { Authenticator } from "./auth/authenticator.ts";
import { DEFAULT_LOGIN_RATE_LIMIT, type LoginRateLimit, loginRoutes } from "./auth/login-routes.ts";
import { MemorySessionStore } from "./auth/memory-session-store.ts";
import type { CookieSecurity } from "./auth/session-cookie.ts";
import type { WebSessionStore } from "./auth/session-store.ts";
import { errorHandler, internalError } from "./error-handler.ts";
import { eventsRoute } from "./events-route.ts";
import { LiveEventHub } from "./live-hub.ts";
import { livePageConfig } from "./live-page.ts";
import { type CycleWhoResolver, machineEventsRoute } from "./machine-events-route.ts";
import { fleetView, type HistorySource, type MachineInfo, machineRoutes } from "./machine-routes.ts";
import { answerWrongMethods } from "./method-not-allowed.ts";
import { type HealthReport, opsRoutes } from "./ops-routes.ts";
import { pageRoutes, renderPages } from "./page-routes.ts";
import { countRequests, registerWebMetrics } from "./request-metrics.ts";
import { sendError } from "./responses.ts";
import { FALLBACK_SECURITY_HEADERS, HELMET_OPTIONS } from "./security-headers.ts";
import { statesRoute } from "./states-route.ts";
import { loadStaticAssets } from "./static-assets.ts";

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
  /** `web.shiftStarts`: local "HH:MM" times a shift starts (the machine page's "this shift"); a default when absent. */
  shiftStarts?: readonly string[];
  log: Logger;
  /**
   * `web.trustedProxies`: the reverse proxies in front of the gateway. Only
   * their X-Forwarded-For / X-Forwarded-Proto are believed (login throttling
   * and live-stream limits per address, the Secure cookie flag); anyone else
   * could claim any address. `true` trusts every hop (tests only).
   */
  trustProxy?: boolean | readonly string[];
  auth?: WebAuthDeps;
  /**
   * More API routes (the training API of issue 14 plugs in here). Each gets
   * the app and the access control, and must declare access on every route.
   */
  apiRoutes?: readonly ApiRoutes[];
  /** The gateway's config, its file and the check-config loader: the admin page's config section. */
  siteConfig?: SiteConfigSource;
  /** Who ran each cycle, per viewer (the training API's `cycleWhoResolver`); without it `who` is null. */
  cycleWho?: CycleWhoResolver;
};

export type WebAuthDeps = {
  /** Checks passwords. None yet on a gateway without a user store: login then answers 503. */
  authenticator?: Authenticator;
  /** Where login sessions live; default in memory (see memory-session-store.ts). */
  sessions?: WebSessionStore;
  /** `web.liveRequiresLogin`: the event stream and /api/machines* need a session too. Default false. */
  liveRequiresLogin?: boolean;
  /** `web.secureCookies`: when the session cookie is marked Secure. Default "auto": when the request came over TLS. */
  secureCookies?: CookieSecurity;
};

export type ApiRoutes = (app: FastifyInstance, access: AccessControl) => void;

/** Knobs with production defaults; tests turn them down to stay fast. */
/** The longest path parameter (machine id, asset name, transfer id) a route accepts; fastify's default. */
const MAX_PATH_PARAM_LENGTH = 100;

export type WebTuning = {
  heartbeatMs: number;
  signalThrottleMs: number;
  maxLiveClients: number;
  /** Live streams one client address may hold (config web.maxStreamsPerClient). */
  maxLiveClientsPerAddress: number;
  maxBufferedBytes: number;
  loginRateLimit: LoginRateLimit;
  now: () => number;
};

export const DEFAULT_TUNING: WebTuning = {
  heartbeatMs: 15_000,
  signalThrottleMs: 250,
  maxLiveClients: 200,
  // A wall screen, a phone and a few tabs per computer; behind one school NAT raise it.
  maxLiveClientsPerAddress: 8,
  maxBufferedBytes: 1 << 20,
  loginRateLimit: DEFAULT_LOGIN_RATE_LIMIT,
  now: Date.now,
};

/**
 * The fastify instance, plus the live-stream client count. `close()` ends
 * every live stream first (they never end by themselves), then the server if
 * it listens; it may be called more than once.
 */
export type WebApp = FastifyInstance & {
  /** Connected event-stream clients (also exported as maskinport_web_live_clients). */
  liveClientCount(): number;
};

/**
 * The gateway's HTTP side as a fastify app: build it here, then
 * `startWebServer` listens, or tests call `app.inject()` without a socket.
 */
export function createWebApp(deps: WebDeps, tuning: Partial<WebTuning> = {}): WebApp {
  const options: WebTuning = { ...DEFAULT_TUNING, ...tuning };
  assertTimeZone(deps.timeZone);
  const log = deps.log.child({ component: "web" });
  const auth = deps.auth ?? {};
  if (auth.liveRequiresLogin && auth.authenticator === undefined) {
    throw new Error(
      "web: liveRequiresLogin is true, but this gateway has no user store to log in against, so nobody " +
        "could see the live view; set web.liveRequiresLogin: false until the training store is configured",
    );
  }

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
  const pages = renderPages(
    livePageConfig({
      timeZone: deps.timeZone,
      history: deps.history !== undefined,
      ...(deps.shiftStarts ? { shiftStarts: deps.shiftStarts } : {}),
    }),
  );
  const assets = loadStaticAssets();
  const metrics = registerWebMetrics(deps.metrics, () => hub.clientCount);
  const access = createAccessControl({
    sessions: auth.sessions ?? new MemorySessionStore({ now: options.now }),
    cookieSecurity: auth.secureCookies ?? "auto",
  });
  const liveAccess = auth.liveRequiresLogin ? { onRequest: access.requireLogin } : PUBLIC_ACCESS;

  // Fastify's own lines (listening, client errors) only from warn up; the gateway logs its start itself.
  const fastifyLog: FastifyBaseLogger = log.child({}, { level: "warn" });
  const app = fastify({
    loggerInstance: fastifyLog,
    // No "incoming request"/"request completed" pair per request: /metrics counts them.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: 30_000,
    trustProxy: trustProxyOption(deps.trustProxy),
    bodyLimit: 64 * 1024,
    // One way for a URL to match, as before: "/api/machines/" and "//api//machines" are "/api/machines".
    routerOptions: {
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: true,
      maxParamLength: MAX_PATH_PARAM_LENGTH,
    },
    frameworkErrors: (err, request, reply) => {
      // Fastify rejects an undecodable URL before any hook runs, so helmet never sees this answer.
      reply.headers(FALLBACK_SECURITY_HEADERS);
      if (err.code === "FST_ERR_MAX_PARAM_LENGTH") {
        // One path segment (a machine id, an asset name) longer than any real one: found by the fuzz tests.
        metrics.count("unmatched", 414);
        return sendError(
          reply,
          414,
          "path_too_long",
          `a part of the path ${JSON.stringify(request.url.slice(0, 120))}… is longer than ${MAX_PATH_PARAM_LENGTH} characters; no route takes one that long`,
        );
      }
      metrics.count("unmatched", err.code === "FST_ERR_BAD_URL" ? 400 : 500);
      if (err.code !== "FST_ERR_BAD_URL") return internalError(reply);
      return sendError(
        reply,
        400,
        "bad_path",
        `the path ${JSON.stringify(request.url.slice(0, 200))} has broken percent-encoding; ` +
          "a % must start a valid UTF-8 escape such as %C3%A5",
      );
    },
  });
  app.server.headersTimeout = 10_000;

  app.register(fastifyHelmet, HELMET_OPTIONS);
  app.register(fastifyCookie);
  app.register(fastifyRateLimit, { global: false });
  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0]!;
    return sendError(
      reply,
      404,
      "not_found",
      `nothing at ${JSON.stringify(path.slice(0, 200))}; see GET / or /api/machines`,
    );
  });
  countRequests(app, metrics);
  requireAccessDeclarations(app);
  const addWrongMethodRoutes = answerWrongMethods(app);

  // Routes in a plugin so they load after the plugins above (rate-limit hooks into routes as they are added).
  const machineIds = () => deps.machines().map((m) => m.id);
  app.register(async (routes) => {
    pageRoutes(routes, { pages, assets, access, machines: deps.machines });
    eventsRoute(routes, { hub, access: liveAccess, maxPerAddress: options.maxLiveClientsPerAddress });
    machineRoutes(routes, { source: fleet, history: deps.history, access: liveAccess });
    statesRoute(routes, {
      machineIds: () => deps.machines().map((m) => m.id),
      source: stateSource(deps.history),
      access: liveAccess,
      now: options.now,
    });
    machineEventsRoute(routes, {
      machineIds,
      source: deps.history,
      access: liveAccess,
      now: options.now,
      cycleWho: deps.cycleWho,
      viewerOf: (request) => access.maybeSessionOf(request),
    });
    opsRoutes(routes, deps.health, deps.metrics);
    loginRoutes(routes, {
      access,
      authenticator: auth.authenticator,
      rateLimit: options.loginRateLimit,
      log,
    });
    alarmAckRoutes(routes, {
      access,
      log: new AlarmAckLog(),
      machineIds: () => deps.machines().map((m) => m.id),
      nameOf: displayNames(auth.authenticator),
      now: options.now,
    });
    configRoutes(routes, { access, source: deps.siteConfig, now: options.now });
    for (const addRoutes of deps.apiRoutes ?? []) addRoutes(routes, access);
    addWrongMethodRoutes(routes);
  });

  // Live streams never end by themselves; without this, closing the server would wait for them forever.
  app.addHook("preClose", async () => hub.close());
  app.addHook("onClose", async () => metrics.unregister());
  return Object.assign(app, { liveClientCount: () => hub.clientCount });
}

/** The history store's state timeline, when it has one (both stores of src/sinks/history do). */
function stateSource(history: HistorySource | undefined) {
  const timeline = history?.stateTimeline;
  return timeline === undefined ? undefined : { stateTimeline: timeline.bind(history) };
}

/** The user store's display names, when its authenticator offers them (the training store's does). */
function displayNames(authenticator: Authenticator | undefined) {
  const withNames = authenticator as
    | (Authenticator & { displayNameOf?: (userId: string) => Promise<string | undefined> })
    | undefined;
  const lookup = withNames?.displayNameOf;
  return lookup === undefined ? undefined : (userId: string) => lookup.call(withNames, userId);
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

/** fastify's trustProxy: false, true (tests), or the proxies' addresses (proxy-addr keeps the right-most untrusted hop). */
function trustProxyOption(trust: boolean | readonly string[] | undefined): boolean | string[] {
  if (trust === undefined || trust === false) return false;
  if (trust === true) return true;
  return trust.length > 0 ? [...trust] : false;
}
