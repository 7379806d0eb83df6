import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/load.ts";
import { evidenceConfigSchema } from "../evidence/config.ts";
import { privacySheet } from "../evidence/privacy/sheet.ts";

const USAGE = `Usage: maskinport privacy sheet [--lang nb|en] [--config FILE]
  prints the information sheet arbeidsmiljøloven § 9-2 asks for (what is recorded,
  why, who sees it, how long), generated from the config (default config/demo.yaml)`;

/** `maskinport privacy sheet`. */
export async function runPrivacyCli(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  let values: { lang?: string; config?: string; help?: boolean };
  try {
    values = parseArgs({
      args: rest,
      options: {
        lang: { type: "string" },
        config: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (err) {
    console.error(`maskinport privacy: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (sub !== "sheet" || values.help) {
    console.log(USAGE);
    return sub === "sheet" || sub === "--help" || sub === "-h" ? 0 : 2;
  }
  const lang = values.lang ?? "nb";
  if (lang !== "nb" && lang !== "en") {
    console.error(`maskinport privacy: --lang must be nb or en, got "${lang}"`);
    return 2;
  }
  try {
    const cfg = loadConfig(values.config ?? "config/demo.yaml");
    const evidence = evidenceConfigSchema.parse((cfg as { evidence?: unknown }).evidence ?? {});
    process.stdout.write(privacySheet({ site: cfg.site, machines: cfg.machines, evidence }, lang));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}
