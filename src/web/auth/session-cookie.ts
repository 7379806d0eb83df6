import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";

/** The cookie that carries the session token. */
export const SESSION_COOKIE = "maskinport_session";

/**
 * When the cookie gets the Secure flag: `"auto"` when the request came over
 * TLS (fastify's `request.protocol`), `true` always (TLS ends at a reverse
 * proxy in front of the gateway), `false` never.
 */
export type CookieSecurity = "auto" | boolean;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * HttpOnly: page scripts never see the token (an injected script cannot
 * steal it). SameSite=Strict: the browser never sends it on a request another
 * site starts, not even a link click; the app shell itself is public and the
 * page learns who is logged in from `GET /api/me`, a same-site request, so
 * Strict costs nothing (Lax would only matter for a server-rendered page
 * behind login opened from a link in an e-mail). Path=/: one session for the
 * page, the API and the event stream. No Max-Age: closing the browser ends it
 * on a shared workshop PC; the server-side timeouts end it everywhere else.
 */
export function sessionCookieOptions(
  request: FastifyRequest,
  security: CookieSecurity,
): CookieSerializeOptions {
  return {
    httpOnly: true,
    sameSite: "strict",
    secure: security === "auto" ? request.protocol === "https" : security,
    path: "/",
  };
}

/** The token from the request's cookie, if it has the shape of one (anything else is not worth a lookup). */
export function readSessionToken(request: FastifyRequest): string | undefined {
  const value = request.cookies[SESSION_COOKIE];
  return value !== undefined && TOKEN_SHAPE.test(value) ? value : undefined;
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  token: string,
  security: CookieSecurity,
): void {
  reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(request, security));
}

export function clearSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  security: CookieSecurity,
): void {
  reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(request, security));
}
