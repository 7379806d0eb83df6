import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/load.ts";
import { Gateway } from "./gateway.ts";
import { createLogger } from "./logger.ts";
import { loadSiteConfig } from "./site-config.ts";

const DEFAULT_CONFIG = "config/demo.yaml";

/** `maskinport run [--config FILE]`: run until SIGINT/SIGTERM, then shut down cleanly. */
export async function runGatewayCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(`Usage: maskinport run [--config FILE]   (default ${DEFAULT_CONFIG})`);
    return 0;
  }
  const file = values.config ?? DEFAULT_CONFIG;
  let config: Awaited<ReturnType<typeof loadSiteConfig>>;
  try {
    config = await loadSiteConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const log = createLogger(config.gateway.logLevel);
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  const gateway = new Gateway({ config, log, version: pkg.version, configFile: file });

  try {
    const { webPort } = await gateway.start();
    log.info(`live page on http://localhost:${webPort}`);
  } catch (err) {
    log.fatal({ err }, "gateway failed to start");
    return 1;
  }

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, "shutting down");
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve();
    };
    const onInt = () => shutdown("SIGINT");
    const onTerm = () => shutdown("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
  // A second Ctrl-C while stopping exits at once.
  process.once("SIGINT", () => process.exit(130));
  await gateway.stop();
  log.info("stopped");
  return 0;
}
