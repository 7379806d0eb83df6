import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import type { z } from "zod";
import { redactUrlCredentials } from "../core/url-credentials.ts";
import { type EnvReference, substitute } from "./env.ts";
import { type ConfigProblem, describeIssues, formatPath } from "./errors.ts";
import { resolveConfigPaths } from "./paths.ts";
import { type ConfigSchema, configSchema, type MaskinportConfig } from "./schema.ts";
import { yamlToData } from "./yaml-aliases.ts";

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

const MAX_YAML_ERRORS = 10;

/** What `${…}` substitution did, for typing values again and keeping secrets out of messages. */
type EnvUse = {
  /** Config path → the reference as written, for values that came from `${…}`. */
  references: Map<string, EnvReference>;
  /** Values taken from the environment. */
  secrets: Set<string>;
};

/**
 * Replace `${VAR}` / `${VAR:-default}` in every string scalar (env.ts). A
 * missing variable without a default is a problem naming the key and the
 * variable. Substituted values stay strings.
 */
function substituteEnv(
  node: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[],
  problems: ConfigProblem[],
  use: EnvUse,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "?";
      substituteEnv(pair.value, env, [...path, key], problems, use);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      substituteEnv(item, env, [...path, i], problems, use);
    });
  } else if (isScalar(node) && typeof node.value === "string" && node.value.includes("${")) {
    const template = node.value;
    const result = substitute(template, env);
    if (result.names.length === 0) return;
    const where = formatPath(path);
    for (const name of result.missing) {
      problems.push({
        path: where,
        message: `environment variable ${name} is not set (set it, or write \${${name}:-default})`,
        line: undefined,
      });
    }
    for (const secret of result.secrets) use.secrets.add(secret);
    use.references.set(where, { names: result.names, template, whole: result.whole });
    node.value = result.value;
  }
}

/**
 * A whole-value reference (`port: ${MQTT_PORT}`) where the schema wants a
 * number or a boolean: its text is typed as YAML would have typed it, and
 * the data is validated again. Only these paths are touched, so a password
 * of digits stays the string it is.
 */
function retypeWhereExpected(data: unknown, issues: readonly z.core.$ZodIssue[], use: EnvUse): boolean {
  let changed = false;
  for (const issue of issues) {
    const reference = use.references.get(formatPath(issue.path));
    if (!reference?.whole || issue.path.length === 0) continue;
    const parent = valueAt(data, issue.path.slice(0, -1));
    const key = issue.path[issue.path.length - 1] as PropertyKey;
    if (parent === null || typeof parent !== "object") continue;
    const holder = parent as Record<PropertyKey, unknown>;
    const text = holder[key];
    if (typeof text !== "string") continue;
    const typed = /^-?\d+(\.\d+)?$/.test(text)
      ? Number(text)
      : text === "true" || text === "false"
        ? text === "true"
        : undefined;
    if (typed === undefined) continue;
    holder[key] = typed;
    changed = true;
  }
  return changed;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** The message without any value taken from the environment (long enough to be recognised). */
function scrubSecrets(message: string, secrets: ReadonlySet<string>): string {
  let out = message;
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join("***");
  return redactUrlCredentials(out);
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
    // A badly broken file gives one YAML error per broken node: the first few say where to look.
    const shown = doc.errors.slice(0, MAX_YAML_ERRORS).map((e) => ({
      path: "(yaml)",
      message: e.message.split("\n")[0] ?? e.message,
      line: e.linePos?.[0]?.line,
    }));
    const more = doc.errors.length - shown.length;
    if (more > 0)
      shown.push({ path: "(yaml)", message: `${more} more YAML errors after these`, line: undefined });
    throw new ConfigError(file, shown);
  }
  const problems: ConfigProblem[] = [];
  const use: EnvUse = { references: new Map(), secrets: new Set() };
  substituteEnv(doc.contents, env, [], problems, use);
  const converted = yamlToData(doc, lc);
  if (!converted.ok) throw new ConfigError(file, [converted.problem]);
  const data = converted.data;
  let result = schema.safeParse(data);
  if (!result.success && retypeWhereExpected(data, result.error.issues, use)) {
    result = schema.safeParse(data);
  }
  if (!result.success) {
    // A value left empty by a missing ${VAR} is already reported; its schema error would only repeat it.
    const unset = new Set(problems.map((p) => p.path));
    const shown = (path: string) => {
      const reference = use.references.get(path);
      return reference && `${JSON.stringify(reference.template)} (after substituting the environment)`;
    };
    problems.push(
      ...describeIssues(schema, data, result.error.issues, shown).filter((p) => !unset.has(p.path)),
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(
      file,
      problems.map((p) => ({
        ...p,
        message: scrubSecrets(p.message, use.secrets),
        line: p.line ?? lineOf(doc, lc, p.path),
      })),
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
