import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { type ConfigProblem, describeIssues, formatPath } from "./errors.ts";
import { resolveConfigPaths } from "./paths.ts";
import { type ConfigSchema, configSchema, type MaskinportConfig } from "./schema.ts";

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  readonly file: string;
  constructor(file: string, problems: readonly ConfigProblem[]) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n` +
        problems.map((p) => `  ${p.line ? `line ${p.line}: ` : ""}${p.path}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
    this.file = file;
    this.problems = problems;
  }
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replace `${VAR}` / `${VAR:-default}` in every string scalar, so secrets live
 * in the environment and not in the YAML file. A missing variable without a
 * default is a problem naming the key and the variable.
 */
function substituteEnv(
  node: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[],
  problems: ConfigProblem[],
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "?";
      substituteEnv(pair.value, env, [...path, key], problems);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      substituteEnv(item, env, [...path, i], problems);
    });
  } else if (isScalar(node) && typeof node.value === "string" && node.value.includes("${")) {
    const replaced = node.value.replace(ENV_REF, (_all, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== "") return v;
      if (fallback !== undefined) return fallback;
      problems.push({
        path: formatPath(path),
        message: `environment variable ${name} is not set (set it, or write \${${name}:-default})`,
        line: undefined,
      });
      return "";
    });
    // A whole-value reference to a number keeps YAML's typing (e.g. port: ${MQTT_PORT}).
    node.value =
      /^-?\d+(\.\d+)?$/.test(replaced) && /^\$\{[^}]+\}$/.test(node.value) ? Number(replaced) : replaced;
  }
}

/** The 1-based line of the node at `path` (or of its nearest existing parent) in a parsed YAML document. */
export function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lc: LineCounter,
  path: string,
): number | undefined {
  const segs = path
    .split(/\.|\[(\d+)\]/)
    .filter((s) => s !== undefined && s !== "")
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  // Walk up until a node exists (an unknown or missing key points at its parent).
  for (let n = segs.length; n >= 0; n--) {
    const node = doc.getIn(segs.slice(0, n), true) as YamlNode | undefined;
    if (node && typeof node === "object" && "range" in node && node.range) {
      return lc.linePos(node.range[0]).line;
    }
  }
  return undefined;
}

/** Parse YAML text into a validated config, or throw ConfigError listing every problem. */
export function parseConfig(
  text: string,
  file = "config",
  env: NodeJS.ProcessEnv = process.env,
  schema: ConfigSchema = configSchema,
): MaskinportConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: "(yaml)",
        message: e.message.split("\n")[0] ?? e.message,
        line: e.linePos?.[0]?.line,
      })),
    );
  }
  const problems: ConfigProblem[] = [];
  substituteEnv(doc.contents, env, [], problems);
  const data: unknown = doc.toJS();
  const result = schema.safeParse(data);
  if (!result.success) {
    // A value left empty by a missing ${VAR} is already reported; its schema error would only repeat it.
    const unset = new Set(problems.map((p) => p.path));
    problems.push(...describeIssues(schema, data, result.error.issues).filter((p) => !unset.has(p.path)));
  }
  if (problems.length > 0) {
    throw new ConfigError(
      file,
      problems.map((p) => ({ ...p, line: p.line ?? lineOf(doc, lc, p.path) })),
    );
  }
  if (!result.success) throw new Error("unreachable");
  return result.data;
}

/** Read, validate and resolve a config file (relative paths are relative to the file). */
export function loadConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  schema: ConfigSchema = configSchema,
): MaskinportConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EACCES" ? "permission denied" : String(err);
    throw new ConfigError(file, [{ path: "(file)", message: why }]);
  }
  return resolveConfigPaths(parseConfig(text, file, env, schema), dirname(file));
}
