import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";
import { parseBody } from "../request-body.ts";
import { HttpError, sendJson } from "../responses.ts";
import type { AccessControl } from "./access.ts";
import { type Authenticator, isRefusal } from "./authenticator.ts";
import { assertSameOrigin, CSRF_HEADER } from "./csrf.ts";
import { clearSessionCookie, readSessionToken, setSessionCookie } from "./session-cookie.ts";
import type { WebSession } from "./session-store.ts";

export type LoginRateLimit = {
  /** Login attempts one client address may make per window, whatever their outcome. */
  max: number;
  windowMs: number;
};

/**
 * Ten attempts a minute per address: plenty for a person mistyping, useless
 * for guessing. A school PC room shares few addresses (NAT), so this is kept
 * loose; the user store's own throttling (per user) is the real brake.
 */
export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimit = { max: 10, windowMs: 60_000 };

const LOGIN_BODY = z
  .object({
    username: z.string().trim().min(1, "must not be empty").max(200, "at most 200 characters"),
    password: z.string().min(1, "must not be empty").max(1024, "at most 1024 characters"),
  })
  .strict();

/** What the page learns about its own session: enough to show the user and to write. */
function sessionView(session: WebSession) {
  return {
    userId: session.userId,
    role: session.role,
    csrfToken: session.csrfToken,
    csrfHeader: CSRF_HEADER,
    expiresAt: session.expiresAt,
  };
}

/**
 * `POST /api/login`, `POST /api/logout`, `GET /api/me`. Without an
 * authenticator (no user store on this gateway yet) login answers 503, and
 * the other two 401 as nobody can have a session.
 */
export function loginRoutes(
  app: FastifyInstance,
  options: {
    access: AccessControl;
    authenticator: Authenticator | undefined;
    rateLimit: LoginRateLimit;
    log: Logger;
  },
): void {
  const { access, authenticator, log } = options;

  app.post(
    "/api/login",
    {
      bodyLimit: 16 * 1024,
      config: {
        access: "public",
        rateLimit: {
          max: options.rateLimit.max,
          timeWindow: options.rateLimit.windowMs,
          errorResponseBuilder: (_request, context) =>
            new HttpError(
              429,
              "throttled",
              `too many login attempts from this address; try again in ${context.after}`,
              { retryAfterMs: context.ttl },
            ),
        },
      },
    },
    async (request, reply) => {
      // Login has no session to carry a CSRF token yet; the origin check stops another site from
      // logging a browser into an account of its choosing (login CSRF).
      assertSameOrigin(request);
      const { username, password } = parseBody(LOGIN_BODY, request.body);
      if (authenticator === undefined) {
        throw new HttpError(
          503,
          "login_unavailable",
          "this gateway has no user store yet, so nobody can log in; the training store brings one",
        );
      }
      const result = await authenticator.login(username, password, request.ip);
      if (isRefusal(result)) {
        // No username in the log: it is often a person's name.
        log.info({ clientAddress: request.ip, outcome: result.error }, "login refused");
        if (result.error === "throttled") throw throttled(result.retryAfterMs);
        throw new HttpError(401, "bad_credentials", "wrong username or password");
      }
      // A new session on every login, never a reused one: a token planted before login is worth nothing after.
      const previous = readSessionToken(request);
      if (previous !== undefined) await access.sessions.destroy(previous);
      const { token, session } = await access.sessions.create(result);
      setSessionCookie(reply, request, token, access.cookieSecurity);
      log.info({ userId: session.userId, role: session.role }, "login");
      return sendJson(reply, 200, sessionView(session));
    },
  );

  app.post("/api/logout", { onRequest: access.requireLogin }, async (request, reply) => {
    const session = access.sessionOf(request);
    await access.sessions.destroy(session.token);
    clearSessionCookie(reply, request, access.cookieSecurity);
    log.info({ userId: session.userId }, "logout");
    return reply.code(204).header("Cache-Control", "no-store").send();
  });

  app.get("/api/me", { onRequest: access.requireLogin }, async (request, reply) => {
    const session = access.sessionOf(request);
    // A person's own name, to themself only: this route answers for the session's user and nobody else.
    const displayName = (await authenticator?.displayNameOf?.(session.userId)) ?? null;
    return sendJson(reply, 200, { ...sessionView(session), displayName });
  });
}

function throttled(retryAfterMs: number | undefined): HttpError {
  if (retryAfterMs === undefined) {
    return new HttpError(429, "throttled", "too many failed logins; wait a while before trying again");
  }
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new HttpError(
    429,
    "throttled",
    `too many failed logins; try again in ${seconds} s`,
    { retryAfterMs },
    { "Retry-After": String(seconds) },
  );
}
