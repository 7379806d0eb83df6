import type { FastifyRequest } from "fastify";
import { HttpError } from "../responses.ts";
import type { WebSession } from "./session-store.ts";
import { sameSecret } from "./session-token.ts";

/** The header a page sends its session's CSRF token in (from `GET /api/me` or the login answer). */
export const CSRF_HEADER = "x-csrf-token";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Methods that change something and so need CSRF protection when a cookie authenticates them. */
export function isWrite(method: string): boolean {
  return WRITES.has(method);
}

/**
 * First line against cross-site writes: what the browser says about where a
 * request comes from. `Sec-Fetch-Site` (all current browsers) must be
 * `same-origin`; `Origin`, when sent, must name this host. A request with
 * neither comes from a non-browser client (curl, a script), which no other
 * site can make a victim's browser send; the CSRF token still applies to it.
 * Only the host is compared, not the scheme: behind a TLS-terminating proxy
 * the browser says https while the gateway sees http.
 */
export function assertSameOrigin(request: FastifyRequest): void {
  const fetchSite = request.headers["sec-fetch-site"];
  if (fetchSite !== undefined && fetchSite !== "same-origin") {
    throw crossOrigin(`the browser marks this request as ${JSON.stringify(fetchSite)}`);
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (!sameHost(origin, request.host)) {
    throw crossOrigin(`Origin ${JSON.stringify(origin.slice(0, 100))} is not this gateway`);
  }
}

/**
 * Second line: the synchronizer token. Each session has its own random CSRF
 * token, handed to the page by `GET /api/me` and the login answer (readable
 * only by same-origin script) and required in `X-CSRF-Token` on every
 * cookie-authenticated write. Another site can make the browser send the
 * cookie, but cannot read the token.
 */
export function assertCsrfToken(request: FastifyRequest, session: WebSession): void {
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== "string" || sent === "") {
    throw new HttpError(
      403,
      "csrf_token_missing",
      `this write needs the session's CSRF token in the ${CSRF_HEADER} header; GET /api/me gives it`,
    );
  }
  if (!sameSecret(sent, session.csrfToken)) {
    throw new HttpError(
      403,
      "csrf_token_invalid",
      `the ${CSRF_HEADER} header does not match this session's token (a new login changes it); GET /api/me gives the current one`,
    );
  }
}

function sameHost(origin: string, host: string): boolean {
  try {
    const from = new URL(origin);
    // Parse the request's Host under the origin's scheme, so default ports compare equal (host:80 = host).
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false; // "null" (sandboxed frames, file://) and anything unparsable
  }
}

function crossOrigin(reason: string): HttpError {
  return new HttpError(
    403,
    "cross_origin",
    `${reason}; writes are accepted only from pages this gateway serves`,
  );
}
