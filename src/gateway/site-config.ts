import { dirname, isAbsolute, resolve } from "node:path";
import type { SimulatorConfig } from "../../simulators/registry.ts";
import { loadConfig } from "../config/load.ts";
import { configSchemaWith, type MaskinportConfig } from "../config/schema.ts";

/**
 * The config file as `maskinport run` and `check-config` read it: the
 * product's schema (src/config) with the `simulators:` entries checked by the
 * simulators' own schemas, so a wrong simulator key gets its line and
 * did-you-mean like any other. The simulator registry holds schemas only (zod,
 * no server code), and is imported here, lazily, rather than by src/config,
 * which stays free of simulators/. Throws ConfigError.
 */
export async function loadSiteConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MaskinportConfig> {
  const simulators = await import("../../simulators/registry.ts");
  const config = loadConfig(file, env, configSchemaWith(simulators.simulatorSchema));
  const base = dirname(file);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  return {
    ...config,
    // Validated by simulatorSchema above, so each entry is a SimulatorConfig.
    simulators: simulators.resolveSimulatorPaths(config.simulators as SimulatorConfig[], abs),
  };
}
