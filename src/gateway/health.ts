import type { Adapter } from "../core/contracts.ts";

export type HealthReport = {
  status: "ok" | "degraded" | "down";
  checks: Record<string, { ok: boolean; detail?: string }>;
};

/**
 * ok: running, broker connected, every adapter connected. degraded: running
 * but something is unreachable (data is still accepted and buffered). down:
 * not running. A container orchestrator should restart only on "down".
 */
export function healthOf(parts: {
  running: boolean;
  adapters: readonly Adapter[];
  mqtt: { connected: boolean } | undefined;
  /** Further parts by name (the evidence ledger): not ok makes the gateway degraded. */
  more?: ReadonlyMap<string, () => { ok: boolean; detail?: string }>;
}): HealthReport {
  const checks: HealthReport["checks"] = { gateway: { ok: parts.running } };
  if (parts.mqtt)
    checks.mqtt = { ok: parts.mqtt.connected, detail: parts.mqtt.connected ? "connected" : "not connected" };
  for (const a of parts.adapters) {
    checks[a.id] = { ok: a.stats.connected, detail: a.stats.connected ? "connected" : "not connected" };
  }
  for (const [name, check] of parts.more ?? []) checks[name] = check();
  if (!parts.running) return { status: "down", checks };
  const allOk = Object.values(checks).every((c) => c.ok);
  return { status: allOk ? "ok" : "degraded", checks };
}
