import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../responses.ts";
import { assertCsrfToken, assertSameOrigin, isWrite } from "./csrf.ts";
import type { Role } from "./roles.ts";
import {
  type CookieSecurity,
  clearSessionCookie,
  readSessionToken,
  SESSION_COOKIE,
} from "./session-cookie.ts";
import type { WebSession, WebSessionStore } from "./session-store.ts";

/**
 * A route's `onRequest` hook that lets a request through only with the right
 * session. onRequest, not preHandler: a request without one is turned away
 * before its body is read (a program upload may be megabytes).
 */
// A guard that answers itself (a redirect) returns the reply, which tells fastify to stop there.
export type AccessGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** What a guarded route knows about who is asking. */
export type CurrentSession = WebSession & { token: string };

export type AccessControl = {
  /**
   * A route's onRequest guard: a valid session whose role is one of `roles`
   * (401 without a session, 403 with another role); a write (POST, PUT,
   * PATCH, DELETE) also needs a same-origin request and the session's CSRF
   * token (403). List every role the route admits; there is no hierarchy.
   */
  requireRole(...roles: [Role, ...Role[]]): AccessGuard;
  /** Any logged-in user, whatever the role (same checks otherwise). */
  readonly requireLogin: AccessGuard;
  /**
   * The guard of an HTML page (GET) that holds data only some roles may see:
   * without a session the browser is sent to `/login?next=<this page>`
   * (303), with another role `forbidden` answers (a page, not JSON).
   */
  requirePageRole(roles: readonly [Role, ...Role[]], forbidden: PageRefusal): AccessGuard;
  /** The session a guard let through. Only for routes behind a guard; throws otherwise (a wiring bug). */
  sessionOf(request: FastifyRequest): CurrentSession;
  /**
   * Who is asking on a route anyone may call (the live views while
   * `liveRequiresLogin` is off): the request's valid session, if it has one.
   * Refuses nothing; for showing more to someone logged in, never for access.
   */
  maybeSessionOf(request: FastifyRequest): Promise<WebSession | undefined>;
  readonly sessions: WebSessionStore;
  readonly cookieSecurity: CookieSecurity;
};

/** Answers a page request whose session has a role the page does not admit. */
export type PageRefusal = (
  reply: FastifyReply,
  refusal: { roles: readonly Role[]; role: Role },
) => FastifyReply;

/** Every guard made here, so the app can check at start-up that each route declared one. */
const guards = new WeakSet<AccessGuard>();

export function createAccessControl(options: {
  sessions: WebSessionStore;
  cookieSecurity: CookieSecurity;
}): AccessControl {
  const { sessions, cookieSecurity } = options;
  const current = new WeakMap<FastifyRequest, CurrentSession>();

  const guard = (admits: (role: Role) => boolean, who: string): AccessGuard => {
    const check: AccessGuard = async (request, reply) => {
      const token = readSessionToken(request);
      const session = token === undefined ? undefined : await sessions.touch(token);
      if (token === undefined || session === undefined) {
        // A stale cookie would only make the next request fail the same way.
        if (request.cookies[SESSION_COOKIE] !== undefined) clearSessionCookie(reply, request, cookieSecurity);
        throw new HttpError(
          401,
          "unauthenticated",
          "log in first (POST /api/login); there is no session, or it ended (logout, inactivity, or its time limit)",
        );
      }
      if (isWrite(request.method)) {
        assertSameOrigin(request);
        assertCsrfToken(request, session);
      }
      if (!admits(session.role)) {
        throw new HttpError(403, "forbidden", `this needs ${who}; you are logged in as ${session.role}`);
      }
      current.set(request, { ...session, token });
    };
    guards.add(check);
    return check;
  };

  const pageGuard = (roles: readonly Role[], forbidden: PageRefusal): AccessGuard => {
    const check: AccessGuard = async (request, reply) => {
      const token = readSessionToken(request);
      const session = token === undefined ? undefined : await sessions.touch(token);
      if (token === undefined || session === undefined) {
        if (request.cookies[SESSION_COOKIE] !== undefined) clearSessionCookie(reply, request, cookieSecurity);
        // Only a path of ours goes into `next`, so the login page can never send anyone off-site.
        const next = request.url.startsWith("/") ? request.url : "/";
        return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
      }
      if (!roles.includes(session.role)) {
        return forbidden(reply, { roles, role: session.role });
      }
      current.set(request, { ...session, token });
    };
    guards.add(check);
    return check;
  };

  return {
    requirePageRole: pageGuard,
    requireRole: (...roles) => guard((role) => roles.includes(role), `the role ${roles.join(" or ")}`),
    requireLogin: guard(() => true, "a login"),
    sessionOf(request) {
      const session = current.get(request);
      if (session === undefined) {
        throw new Error(
          `web: ${request.method} ${request.url} reads the session but declares no access guard`,
        );
      }
      return session;
    },
    async maybeSessionOf(request) {
      const known = current.get(request);
      if (known !== undefined) return known;
      const token = readSessionToken(request);
      return token === undefined ? undefined : sessions.touch(token);
    },
    sessions,
    cookieSecurity,
  };
}

/**
 * Refuse, at start-up, any route that says nothing about who may call it:
 * each one carries a guard from an AccessControl or `config: { access:
 * "public" }`. Forgetting the role check on a new route is then a crash on
 * the developer's machine instead of an open door on the shop floor.
 * Call before declaring routes.
 */
export function requireAccessDeclarations(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    const guarded = [route.onRequest ?? []].flat().some((h) => guards.has(h as AccessGuard));
    if (route.config?.access === "public" || guarded) return;
    const misplaced = [route.preHandler ?? []].flat().some((h) => guards.has(h as AccessGuard));
    if (misplaced) {
      throw new Error(
        `web: route ${[route.method].flat().join(",")} ${route.url} has its access guard as a preHandler; ` +
          "make it onRequest, so requests without a session are refused before their body is read",
      );
    }
    throw new Error(
      `web: route ${[route.method].flat().join(",")} ${route.url} declares no access; ` +
        `add onRequest: access.requireRole(...) or config: { access: "public" }`,
    );
  });
}

/** Route options that declare access: a guard, or public. Spread into a route's options. */
export type RouteAccess = { onRequest: AccessGuard } | { config: { access: "public" } };

/** For routes anyone may call. */
export const PUBLIC_ACCESS: RouteAccess = { config: { access: "public" } };
