import { isAbsolute, resolve } from "node:path";
import { resolveMonitorPaths } from "../adapters/registry.ts";
import { resolveBrokerPaths } from "../sinks/mqtt/broker-config.ts";
import type { MaskinportConfig } from "./schema.ts";

/**
 * Relative paths in a config file are relative to that file's folder, so a
 * config works the same whatever directory the gateway is started from.
 */
export function resolveConfigPaths(config: MaskinportConfig, baseDir: string): MaskinportConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const absOpt = (p: string | undefined) => (p === undefined ? undefined : abs(p));
  return {
    ...config,
    mqtt: {
      ...config.mqtt,
      ca: absOpt(config.mqtt.ca),
      cert: absOpt(config.mqtt.cert),
      key: absOpt(config.mqtt.key),
      embedded: resolveBrokerPaths(config.mqtt.embedded, abs),
    },
    timeseries: config.timeseries.embedded
      ? {
          ...config.timeseries,
          embedded: { ...config.timeseries.embedded, path: abs(config.timeseries.embedded.path) },
        }
      : config.timeseries,
    library: { ...config.library, path: abs(config.library.path) },
    outbox: { ...config.outbox, path: absOpt(config.outbox.path) },
    training: config.training && { ...config.training, path: abs(config.training.path) },
    evidence: config.evidence && { ...config.evidence, catalogue: abs(config.evidence.catalogue) },
    // Each protocol names its own file paths (src/adapters/registry.ts); simulator entries are
    // resolved by the gateway's loader, which knows their schemas (src/gateway/site-config.ts).
    machines: config.machines.map((m) =>
      m.monitor ? { ...m, monitor: resolveMonitorPaths(m.monitor, abs) } : m,
    ),
  };
}
