import type { FastifyInstance } from "fastify";
import type { RouteAccess } from "./auth/access.ts";
import type { LiveEventHub } from "./live-hub.ts";
import { sendError } from "./responses.ts";

/**
 * `GET /events`: hands the connection to the LiveEventHub, which writes the
 * Server-Sent Events stream on the raw response for as long as the browser
 * stays. Fastify is told to keep out of it (`reply.hijack()`); the security
 * headers are already on the raw response (helmet sets them there), so the
 * stream carries them too.
 */
export function eventsRoute(app: FastifyInstance, options: { hub: LiveEventHub; access: RouteAccess }): void {
  const { hub, access } = options;

  app.get("/events", access, (request, reply) => {
    // A stream never ends, so HEAD (headers only) must not be one.
    if (request.method === "HEAD") return reply.code(200).type("text/event-stream; charset=utf-8").send("");
    if (!hub.accept(request.raw, reply.raw)) {
      return sendError(
        reply,
        503,
        "too_many_clients",
        "the live view is at its client limit; try again shortly",
        {},
        { "Retry-After": "10" },
      );
    }
    reply.hijack();
    return undefined;
  });
}
