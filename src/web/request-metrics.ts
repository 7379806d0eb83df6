import type { FastifyInstance } from "fastify";
import { Counter, Gauge, type Registry } from "prom-client";

const LIVE_CLIENTS = "maskinport_web_live_clients";
const HTTP_REQUESTS = "maskinport_http_requests_total";

export type WebMetrics = {
  /** Count one answer by route pattern (never the raw URL: that would be unbounded) and status. */
  count(route: string, status: number): void;
  unregister(): void;
};

/**
 * The web layer's own metrics, registered on the gateway's registry. Replaces
 * leftovers of an earlier app on the same registry (a restart in-process, or
 * tests) instead of failing on "already registered".
 */
export function registerWebMetrics(registry: Registry, liveClients: () => number): WebMetrics {
  for (const name of [LIVE_CLIENTS, HTTP_REQUESTS]) registry.removeSingleMetric(name);
  new Gauge({
    name: LIVE_CLIENTS,
    help: "Browsers connected to the live event stream (/events)",
    registers: [registry],
    collect() {
      this.set(liveClients());
    },
  });
  const requests = new Counter({
    name: HTTP_REQUESTS,
    help: "HTTP requests answered, by route pattern and status code",
    labelNames: ["route", "status"] as const,
    registers: [registry],
  });
  return {
    count: (route, status) => requests.inc({ route, status: String(status) }),
    unregister() {
      for (const name of [LIVE_CLIENTS, HTTP_REQUESTS]) registry.removeSingleMetric(name);
    },
  };
}

/**
 * Count every answer once it is sent. A live stream is counted when it ends.
 * Unknown paths and wrong methods share the label "unmatched".
 */
export function countRequests(app: FastifyInstance, metrics: WebMetrics): void {
  app.addHook("onResponse", async (request, reply) => {
    const { url, config } = request.routeOptions;
    metrics.count(url === undefined || config.wrongMethod ? "unmatched" : url, reply.statusCode);
  });
}
