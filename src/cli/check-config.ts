import { parseArgs } from "node:util";
import { ConfigError } from "../config/load.ts";
import { loadSiteConfig } from "../gateway/site-config.ts";

/** `maskinport check-config FILE`: "ok" and exit 0, or every problem and exit 1. */
export async function checkConfigCli(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" } },
  });
  if (values.help || positionals.length !== 1) {
    console.error("Usage: maskinport check-config FILE");
    return values.help ? 0 : 2;
  }
  const file = positionals[0]!;
  try {
    const config = await loadSiteConfig(file);
    console.log(`ok: ${file} (site ${config.site}, ${config.machines.length} machines)`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}
