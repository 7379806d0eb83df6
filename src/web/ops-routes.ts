import type { Registry } from "prom-client";
import { sendBody, sendJson } from "./responses.ts";
import type { Route } from "./router.ts";

export type HealthStatus = "ok" | "degraded" | "down";
export type HealthReport = { status: HealthStatus; checks: Record<string, { ok: boolean; detail?: string }> };

/**
 * /healthz answers 200 while the gateway is useful (ok, or degraded: some
 * machine or sink is failing but the rest still flows) and 503 only when it
 * is down, so an orchestrator restarts it only when a restart could help.
 */
export function opsRoutes(health: () => HealthReport, registry: Registry): Route[] {
  return [
    {
      method: "GET",
      path: "/healthz",
      handle: ({ res }) => {
        const report = health();
        sendJson(res, report.status === "down" ? 503 : 200, report);
      },
    },
    {
      method: "GET",
      path: "/metrics",
      handle: async ({ res }) => {
        const text = await registry.metrics();
        sendBody(res, 200, registry.contentType, text, { "Cache-Control": "no-store" });
      },
    },
  ];
}
