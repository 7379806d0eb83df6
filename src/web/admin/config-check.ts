import { ConfigError } from "../../config/load.ts";
import { maskUrlCredentials } from "./mask-secrets.ts";

// The admin page's "check-config" result: the same check `maskinport
// check-config FILE` runs (the gateway hands in loadSiteConfig), as data the
// page can list with line numbers.

export type ConfigCheckProblem = { line: number | null; path: string; message: string };

export type ConfigCheck = {
  file: string;
  ok: boolean;
  checkedAt: number;
  problems: ConfigCheckProblem[];
};

/** Reads and validates a config file; throws ConfigError listing the problems (src/config/load.ts). */
export type ConfigLoader = (file: string) => Promise<unknown>;

/**
 * Run the check on the file as it is on disk now. A ConfigError becomes the
 * list of problems (messages already hold no secret values; URL credentials
 * are masked once more in case a message quotes one); any other failure is
 * a bug in the loader and is thrown.
 */
export async function checkConfigFile(
  file: string,
  load: ConfigLoader,
  now: () => number,
): Promise<ConfigCheck> {
  try {
    await load(file);
    return { file, ok: true, checkedAt: now(), problems: [] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return {
      file,
      ok: false,
      checkedAt: now(),
      problems: err.problems.map((p) => ({
        line: p.line ?? null,
        path: p.path,
        message: maskUrlCredentials(p.message),
      })),
    };
  }
}
