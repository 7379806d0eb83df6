import { ConfigError, parseConfig } from "../../src/config/load.ts";

// What a config test asks of the loader: the problems a file has, as
// check-config prints them. One copy, so every test reads them the same way.

/** The smallest valid site file: an embedded broker and one SHDR lathe. */
export const ONE_LATHE_SITE_YAML = `site: raufoss
gateway: { id: gw-1 }
mqtt:
  embedded: { port: 1883 }
machines:
  - id: lathe-1
    name: Mazak QT 200
    kind: lathe
    monitor: { type: shdr, host: 127.0.0.1, port: 7878 }
`;

/** The ConfigError parseConfig throws for `yaml`; fails the test when the file is valid. */
export function configError(yaml: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfig(yaml, "test.yaml", env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError, but the config is valid");
}

/** Each problem as `line path: message` (`-` where it has no line), as check-config prints it. */
export function problemLines(err: ConfigError): string[] {
  return err.problems.map((p) => `${p.line ?? "-"} ${p.path}: ${p.message}`);
}

/**
 * The problems of `yaml` as `line path: message`, or `path: message` with
 * `{ lines: false }`; [] when the file is valid. Anything but a ConfigError is thrown on.
 */
export function configProblems(
  yaml: string,
  env: NodeJS.ProcessEnv = {},
  { lines = true }: { lines?: boolean } = {},
): string[] {
  try {
    parseConfig(yaml, "test.yaml", env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return lines ? problemLines(err) : err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}
