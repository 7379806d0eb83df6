import { isAbsolute, resolve } from "node:path";
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
    machines: config.machines.map((m) => {
      const monitor = m.monitor;
      if (monitor?.type === "shdr" && monitor.devicesXml !== undefined)
        return { ...m, monitor: { ...monitor, devicesXml: abs(monitor.devicesXml) } };
      if (monitor?.type === "opcua") return { ...m, monitor: { ...monitor, pkiDir: abs(monitor.pkiDir) } };
      return m;
    }),
    simulators: config.simulators.map((s) => {
      if (s.type === "shdr") return s.replay === undefined ? s : { ...s, replay: abs(s.replay) };
      if (s.type === "opcua") return { ...s, pkiDir: abs(s.pkiDir) };
      if (s.type === "mtconnect" && s.shdr !== undefined)
        return { ...s, shdr: { ...s.shdr, devicesXml: abs(s.shdr.devicesXml) } };
      return s;
    }),
  };
}
