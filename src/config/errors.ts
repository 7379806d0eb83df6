import type { z } from "zod";
import { redactValueCredentials } from "../core/url-credentials.ts";
import { closest } from "./did-you-mean.ts";

export type PathSegment = string | number;

/** `machines[2].monitor.port` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || "(top level)";
}

function valueAt(data: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object" || !(seg in cur)) return { found: false };
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return { found: true, value: cur };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(redactValueCredentials(value));
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  return String(value);
}

type SchemaLike = z.core.$ZodType;

/**
 * The object schema that governs `path` in `data`, walking through arrays,
 * optionals, defaults, pipes and discriminated unions (choosing the option by
 * the data's discriminator). Used to list the keys that would have been valid.
 */
function objectKeysAt(schema: SchemaLike, data: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let s: SchemaLike | undefined = schema;
  let d: unknown = data;
  const unwrap = () => {
    for (let guard = 0; s && guard < 20; guard++) {
      const def = s._zod.def as { type: string; innerType?: SchemaLike; in?: SchemaLike };
      if (def.innerType) s = def.innerType;
      else if (def.type === "pipe" && def.in) s = def.in;
      else if (def.type === "union") {
        const options = (def as unknown as { options: SchemaLike[]; discriminator?: string }).options;
        const disc = (def as unknown as { discriminator?: string }).discriminator;
        const want = disc && d && typeof d === "object" ? (d as Record<string, unknown>)[disc] : undefined;
        s = options.find((o) => {
          const shape = (o._zod.def as { shape?: Record<string, SchemaLike> }).shape;
          const lit =
            shape && disc ? (shape[disc]?._zod.def as { values?: unknown[] } | undefined) : undefined;
          return lit?.values?.includes(want);
        });
        if (!s) return;
      } else return;
    }
  };
  unwrap();
  for (const seg of path) {
    if (!s) return undefined;
    const def = s._zod.def as { type: string; shape?: Record<string, SchemaLike>; element?: SchemaLike };
    if (def.type === "object" && def.shape && typeof seg === "string") s = def.shape[seg];
    else if (def.type === "array" && def.element) s = def.element;
    else if (def.type === "record") s = (def as unknown as { valueType: SchemaLike }).valueType;
    else return undefined;
    d = d !== null && typeof d === "object" ? (d as Record<PropertyKey, unknown>)[seg] : undefined;
    unwrap();
  }
  const def = s?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
}

export type ConfigProblem = { path: string; message: string; line?: number };

/**
 * Turn zod issues into one line each: `path: expected …, got …` with a hint where one helps.
 * `shown(path)` may say how to show the value at a path instead of the value itself (a value
 * substituted from the environment is shown as its `${…}` reference: it may be a secret).
 */
export function describeIssues(
  schema: SchemaLike,
  data: unknown,
  issues: readonly z.core.$ZodIssue[],
  shown: (path: string) => string | undefined = () => undefined,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = objectKeysAt(schema, data, issue.path) ?? [];
      for (const key of issue.keys) {
        const guess = closest(key, known);
        const hint = guess ? `did you mean "${guess}"?` : `allowed keys: ${known.join(", ")}`;
        out.push({ path: formatPath([...issue.path, key]), message: `unknown key "${key}"; ${hint}` });
      }
      continue;
    }
    if (
      issue.code === "invalid_union" &&
      issue.errors.length > 0 &&
      issue.errors.every((e) => e.length > 0)
    ) {
      // A union with one plausible branch: report that branch's own problems.
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      out.push(
        ...describeIssues(
          schema,
          data,
          best.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
          shown,
        ),
      );
      continue;
    }
    const at = valueAt(data, issue.path);
    const got = shown(formatPath(issue.path)) ?? describe(at.value);
    let message = issue.message.replace(/^Invalid input: /, "");
    if (issue.code === "invalid_value" && "values" in issue) {
      const values = issue.values as unknown[];
      const guess = typeof at.value === "string" ? closest(at.value, values.map(String)) : undefined;
      message = `expected one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
      if (guess) message += ` (did you mean "${guess}"?)`;
    }
    if (issue.code === "custom") {
      out.push({ path: formatPath(issue.path), message });
      continue;
    }
    if (!/, got |received/.test(message)) message += at.found ? `, got ${got}` : ", but it is missing";
    message = message.replace(/, received (\w+)$/, at.found ? `, got ${got}` : ", but it is missing");
    out.push({ path: formatPath(issue.path), message });
  }
  return out;
}
