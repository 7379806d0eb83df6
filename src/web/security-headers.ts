import type { FastifyHelmetOptions } from "@fastify/helmet";

/**
 * The Content-Security-Policy of every response. The page is served from the
 * gateway itself and must work offline on the shop floor, so nothing is ever
 * loaded from another origin: "self" only, no inline script or style, which
 * also blocks injected script should a machine name or alarm text ever slip
 * through unescaped.
 */
const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "connect-src": ["'self'"],
  "font-src": ["'self'"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
};

/**
 * @fastify/helmet, set to the headers the gateway has always sent. Helmet's
 * CSP defaults are off on purpose: they add `upgrade-insecure-requests`, which
 * would send the page's own scripts to https:// on a plain-HTTP shop-floor
 * network and break it. HSTS is off too: over plain HTTP browsers ignore it,
 * and over TLS it pins the host name to HTTPS for a year, which is the
 * decision of whoever sets up TLS (a reverse proxy adds it), not a default.
 */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: Object.fromEntries(Object.entries(CSP_DIRECTIVES).map(([k, v]) => [k, [...v]])),
  },
  frameguard: { action: "deny" },
  referrerPolicy: { policy: "no-referrer" },
  xContentTypeOptions: true,
  crossOriginOpenerPolicy: { policy: "same-origin" },
  crossOriginResourcePolicy: { policy: "same-origin" },
  strictTransportSecurity: false,
};

/**
 * The same core headers for the one answer helmet never sees: fastify rejects
 * a URL it cannot decode before any hook runs (see `frameworkErrors` in
 * app.ts). A test compares these with what helmet sends, so the two cannot drift.
 */
export const FALLBACK_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": Object.entries(CSP_DIRECTIVES)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join(";"),
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};
