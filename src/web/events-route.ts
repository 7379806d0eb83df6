import type { FastifyInstance } from "fastify";
import type { RouteAccess } from "./auth/access.ts";
import { normalizeAddress } from "./client-address.ts";
import type { LiveEventHub } from "./live-hub.ts";
import { sendError } from "./responses.ts";

/**
 * `GET /events`: hands the connection to the LiveEventHub, which writes the
 * Server-Sent Events stream on the raw response for as long as the browser
 * stays. Fastify is told to keep out of it (`reply.hijack()`); the security
 * headers are already on the raw response (helmet sets them there), so the
 * stream carries them too.
 */
export function eventsRoute(
  app: FastifyInstance,
  options: { hub: LiveEventHub; access: RouteAccess; maxPerAddress: number },
): void {
  const { hub, access, maxPerAddress } = options;

  app.get("/events", access, (request, reply) => {
    // A stream never ends, so HEAD (headers only) must not be one.
    if (request.method === "HEAD") return reply.code(200).type("text/event-stream; charset=utf-8").send("");
    // request.ip is the socket's peer, or behind a proxy in web.trustedProxies the
    // right-most X-Forwarded-For hop that is not one of them (fastify's trustProxy).
    const address = normalizeAddress(request.ip);
    switch (hub.accept(request.raw, reply.raw, address)) {
      case "accepted":
        reply.hijack();
        return undefined;
      case "address-limit":
        return sendError(
          reply,
          429,
          "too_many_streams",
          `${address} already has ${maxPerAddress} live views open; close a tab or window (web.maxStreamsPerClient)`,
          { limit: maxPerAddress },
          { "Retry-After": "10" },
        );
      case "full":
      case "closed":
        return sendError(
          reply,
          503,
          "too_many_clients",
          "the live view is at its client limit; try again shortly",
          {},
          { "Retry-After": "10" },
        );
    }
  });
}
