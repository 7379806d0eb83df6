import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { PUBLIC_ACCESS } from "./auth/access.ts";
import { sendJson } from "./responses.ts";

export type HealthStatus = "ok" | "degraded" | "down";
export type HealthReport = { status: HealthStatus; checks: Record<string, { ok: boolean; detail?: string }> };

/**
 * /healthz answers 200 while the gateway is useful (ok, or degraded: some
 * machine or sink is failing but the rest still flows) and 503 only when it
 * is down, so an orchestrator restarts it only when a restart could help.
 * Both routes are public: orchestrators and Prometheus do not log in, and
 * neither says anything about people.
 */
export function opsRoutes(app: FastifyInstance, health: () => HealthReport, registry: Registry): void {
  app.get("/healthz", PUBLIC_ACCESS, (_request, reply) => {
    const report = health();
    return sendJson(reply, report.status === "down" ? 503 : 200, report);
  });

  app.get("/metrics", PUBLIC_ACCESS, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.code(200).type(registry.contentType).header("Cache-Control", "no-store").send(text);
  });
}
