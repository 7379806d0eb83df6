// Which host a request comes from, for per-client limits (live streams).
// Behind a reverse proxy every request arrives from the proxy's address, so
// the proxy's X-Forwarded-For is believed, but only from proxies the config
// names (web.trustedProxies): anyone else could write that header too.
import { isIP } from "node:net";
import { z } from "zod";

/** `web:` keys for client limits; spread into the web section of src/config/schema.ts. */
export const webClientFields = {
  /** Live streams (/events) one client address may hold open; default 8. */
  maxStreamsPerClient: z.int().min(1).max(1000).optional(),
  /** Reverse proxies whose X-Forwarded-For names the client (e.g. ["127.0.0.1", "::1"] for nginx on this PC). */
  trustedProxies: z
    .array(z.string().refine((a) => isIP(normalizeAddress(a)) !== 0, "expected an IP address like 127.0.0.1"))
    .optional(),
};

/** `::ffff:10.0.0.5` (IPv4 on an IPv6 socket) is 10.0.0.5. */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

/** The web app's knobs (WebTuning) from the config's `web:` section; unset keys keep the app's defaults. */
export function clientLimitsFrom(web: { maxStreamsPerClient?: number }): {
  maxLiveClientsPerAddress?: number;
} {
  return web.maxStreamsPerClient !== undefined ? { maxLiveClientsPerAddress: web.maxStreamsPerClient } : {};
}
