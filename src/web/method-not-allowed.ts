import type { FastifyInstance, HTTPMethods } from "fastify";
import { sendError } from "./responses.ts";

/** Methods fastify routes by default; a path answers every one it does not serve with 405. */
const METHODS: readonly HTTPMethods[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * Fastify answers a known path with the wrong method as "not found"; HTTP
 * (and whoever is debugging a client) wants 405 with the methods that would
 * work. Call this before declaring routes: it records each path's methods as
 * routes are added, and the returned function, called in the routes' scope
 * after the last route, adds one 405 route per path for the other methods.
 */
export function answerWrongMethods(app: FastifyInstance): (scope: FastifyInstance) => void {
  const allowedByUrl = new Map<string, Set<string>>();
  app.addHook("onRoute", (route) => {
    if (route.config?.wrongMethod) return;
    const allowed = allowedByUrl.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) allowed.add(method);
    allowedByUrl.set(route.url, allowed);
  });

  return (scope) => {
    for (const [url, allowed] of allowedByUrl) {
      const others = METHODS.filter((m) => !allowed.has(m));
      if (others.length === 0) continue;
      const allow = METHODS.filter((m) => allowed.has(m));
      scope.route({
        method: others,
        url,
        config: { access: "public", wrongMethod: true },
        handler: (request, reply) =>
          sendError(
            reply,
            405,
            "method_not_allowed",
            `${request.method} is not allowed here; use ${allow.join(" or ")}`,
            {},
            { Allow: allow.join(", ") },
          ),
      });
    }
  };
}
