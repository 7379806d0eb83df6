import { z } from "zod";
import { closest } from "../config/did-you-mean.ts";
import { HttpError } from "./responses.ts";

/** One problem with a request body, for the form field it belongs to (`"body"` for the whole). */
export type FieldIssue = { field: string; message: string };

/**
 * At most this many issues in one answer (then one saying how many more): a
 * form has a handful of fields, while a 64 KiB body of unknown keys would
 * otherwise get one issue per key, each naming the fields expected, several
 * times the body's size (found by test/fuzz/web-bodies.fuzz.test.ts).
 */
export const MAX_ISSUES = 20;

/** Field names are quoted back at most this long: an unknown key may be the whole body. */
const MAX_FIELD_NAME = 60;

/**
 * Validate a JSON body with a zod schema, or throw the API's field-level 400:
 * `{ error: "bad_body", message, issues: [{ field, message }] }`, every
 * problem at once, each naming its field so a form can show it in place.
 * Messages never repeat the value sent (it may be a password).
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body, { error: describeIssue });
  if (parsed.success) return parsed.data;
  const all = parsed.error.issues.flatMap((issue) => toFieldIssues(issue, schema));
  const issues =
    all.length > MAX_ISSUES
      ? [
          ...all.slice(0, MAX_ISSUES),
          { field: "body", message: `and ${all.length - MAX_ISSUES} more problems like these` },
        ]
      : all;
  throw new HttpError(400, "bad_body", issues.map((i) => `${i.field}: ${i.message}`).join("; "), { issues });
}

function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  if (issue.path?.length === 0 || issue.path === undefined) {
    return `expected a JSON object (Content-Type: application/json), got ${kindOf(issue.input)}`;
  }
  return issue.input === undefined ? "required" : `expected ${issue.expected}, got ${kindOf(issue.input)}`;
}

function toFieldIssues(issue: z.core.$ZodIssue, schema: z.ZodType): FieldIssue[] {
  const base = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    return issue.keys.map((key) => {
      const hint = closest(key, known);
      const fix = hint ? `did you mean "${hint}"?` : `expected only ${known.join(", ")}`;
      const name = fieldName(key);
      return { field: base === "" ? name : `${base}.${name}`, message: `unknown field; ${fix}` };
    });
  }
  return [{ field: base === "" ? "body" : base, message: issue.message }];
}

/** An unknown key as an issue names it: `""` for the empty key (a field must have a name), long ones cut. */
function fieldName(key: string): string {
  if (key === "") return '""';
  return key.length > MAX_FIELD_NAME ? `${key.slice(0, MAX_FIELD_NAME)}…` : key;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return value === undefined ? "nothing" : typeof value;
}
