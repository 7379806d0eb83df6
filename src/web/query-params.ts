import { z } from "zod";
import { closest } from "../config/did-you-mean.ts";
import { type IsoTimestampRules, parseIsoTimestamp } from "../core/iso-timestamp.ts";

// What every query-string parser of the web API shares (history-query.ts,
// events-query.ts): one value per parameter, unknown parameters named with a
// "did you mean", times as epoch ms or zoned ISO-8601, a window whose `from`
// comes before `to`, and issues that name the parameter and the fix. Each
// route's own parameters and limits stay in its own module.

export type ParamIssue = { parameter: string; message: string };
export type QueryParseResult<T> = { ok: true; data: T } | { ok: false; issues: ParamIssue[] };

export const TIME_HINT =
  "milliseconds since 1970 (e.g. 1735689600000) or an ISO-8601 time with zone (e.g. 2025-01-01T08:00:00Z)";

/** A value as a message quotes it: whoever sends 9 KB gets 60 characters of it back. */
export const showValue = (value: string) =>
  JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
/** A parameter name as it starts a message, cut the same way. */
const nameOf = (name: string) => (name.length > 60 ? `${name.slice(0, 60)}…` : name);

// Only ISO-8601 with an explicit zone (never Date.parse's loose forms), so "May" never means a
// time and a zoneless time is never silently read in some zone the person did not mean.
const QUERY_TIME: IsoTimestampRules = { secondsRequired: false, zoneRequired: true };

/** Epoch milliseconds or an ISO-8601 date-time with zone; anything else is undefined. */
export function parseTime(text: string): number | undefined {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  return parseIsoTimestamp(text, QUERY_TIME);
}

/** A `from`/`to` parameter: a time as `parseTime` reads it. */
export const timeParam = z.string().transform((text, ctx): number => {
  const ms = parseTime(text);
  if (ms !== undefined) return ms;
  ctx.addIssue({ code: "custom", message: `expected ${TIME_HINT}, got ${showValue(text)}` });
  return z.NEVER;
});

/** A count parameter: an integer `min`–`max` in plain digits (no sign, no exponent). */
export function integerParam(min: number, max: number) {
  return z.string().transform((text, ctx): number => {
    const n = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
    if (n >= min && n <= max) return n;
    ctx.addIssue({ code: "custom", message: `expected an integer ${min}–${max}, got ${showValue(text)}` });
    return z.NEVER;
  });
}

/**
 * Reads the query string against a strict zod object of string parameters:
 * a parameter given twice, an unknown one (with the closest of `parameters`)
 * or a bad value comes back as issues naming it.
 */
export function readQueryParams<T>(
  search: URLSearchParams,
  schema: z.ZodType<T, Record<string, string>>,
  parameters: readonly string[],
): QueryParseResult<T> {
  // No prototype: a parameter named `constructor`, `toString` or `__proto__` is just an unknown
  // parameter, never "given more than once" (found on the prototype) nor a prototype to set.
  const raw: Record<string, string> = Object.create(null);
  const issues: ParamIssue[] = [];
  for (const [name, value] of search) {
    if (Object.hasOwn(raw, name)) {
      issues.push({
        parameter: nameOf(name),
        message: `${nameOf(name)}: given more than once; give it once`,
      });
    }
    raw[name] = value;
  }
  if (issues.length > 0) return { ok: false, issues };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, issues: parsed.error.issues.flatMap((issue) => toParamIssues(issue, parameters)) };
}

/**
 * The time window a query asks for: `to` defaults to `now`, `from` to
 * `defaultWindowMs` before `to`, and `from` must come before `to`.
 */
export function queryWindow(
  given: { from?: number | undefined; to?: number | undefined },
  now: number,
  defaultWindowMs: number,
): QueryParseResult<{ from: number; to: number }> {
  const to = given.to ?? now;
  const from = given.from ?? to - defaultWindowMs;
  if (from < to) return { ok: true, data: { from, to } };
  const message = `from: must be earlier than to (from=${from}, to=${to})`;
  return { ok: false, issues: [{ parameter: "from", message }] };
}

function toParamIssues(issue: z.core.$ZodIssue, parameters: readonly string[]): ParamIssue[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const hint = closest(key, parameters);
      const fix = hint ? `did you mean "${hint}"?` : `allowed: ${parameters.join(", ")}`;
      return { parameter: nameOf(key), message: `${nameOf(key)}: unknown parameter; ${fix}` };
    });
  }
  const parameter = String(issue.path[0] ?? "query");
  return [{ parameter, message: `${parameter}: ${issue.message}` }];
}
