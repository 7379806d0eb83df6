import { z } from "zod";
import { closest } from "../config/did-you-mean.ts";
import { type ParamIssue, parseTime } from "./history-query.ts";

// Query parameters of GET /api/machines/:id/events: which kind of record and
// which window. The same rules and message style as the history route
// (history-query.ts): every message names the parameter and the fix.

/** The record kinds the machine page lists; each is one question of the history store. */
export const EVENT_KINDS = ["cycle.end", "alarm", "program.transfer"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENTS_LIMITS = {
  /** Window when `from` is left out: the machine page's "last hour". */
  defaultWindowMs: 3_600_000,
  /** A week of a school's cycles and alarms is still a small answer. */
  maxWindowMs: 7 * 24 * 3_600_000,
  defaultLimit: 500,
  maxLimit: 2000,
} as const;

export type EventsQuery = { type: EventKind; from: number; to: number; limit: number };
export type EventsQueryResult = { ok: true; query: EventsQuery } | { ok: false; issues: ParamIssue[] };

const PARAMETERS = ["type", "from", "to", "limit"] as const;
const TIME_HINT =
  "milliseconds since 1970 (e.g. 1735689600000) or an ISO-8601 time with zone (e.g. 2025-01-01T08:00:00Z)";
const show = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
const nameOf = (name: string) => (name.length > 60 ? `${name.slice(0, 60)}…` : name);

const typeParam = z.string().transform((text, ctx): EventKind => {
  const kind = EVENT_KINDS.find((k) => k === text);
  if (kind) return kind;
  const hint = closest(text, EVENT_KINDS);
  ctx.addIssue({
    code: "custom",
    message: hint
      ? `unknown type ${show(text)}; did you mean "${hint}"?`
      : `unknown type ${show(text)}; use one of ${EVENT_KINDS.join(", ")}`,
  });
  return z.NEVER;
});

const timeParam = z.string().transform((text, ctx): number => {
  const ms = parseTime(text);
  if (ms !== undefined) return ms;
  ctx.addIssue({ code: "custom", message: `expected ${TIME_HINT}, got ${show(text)}` });
  return z.NEVER;
});

const limitParam = z.string().transform((text, ctx): number => {
  const n = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (n >= 1 && n <= EVENTS_LIMITS.maxLimit) return n;
  ctx.addIssue({
    code: "custom",
    message: `expected an integer 1–${EVENTS_LIMITS.maxLimit}, got ${show(text)}`,
  });
  return z.NEVER;
});

const eventsParamsSchema = z
  .object({
    type: z
      .string({ error: `required; add for example ?type=cycle.end (${EVENT_KINDS.join(", ")})` })
      .pipe(typeParam),
    from: timeParam.optional(),
    to: timeParam.optional(),
    limit: limitParam.optional(),
  })
  .strict();

/** Validate the query; `now` fills the defaults: `to` = now, `from` = to − 1 h, `limit` = 500. */
export function parseEventsQuery(search: URLSearchParams, now: number): EventsQueryResult {
  const raw: Record<string, string> = Object.create(null); // no prototype: `__proto__` is just unknown
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

  const parsed = eventsParamsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.flatMap(toParamIssues) };

  const to = parsed.data.to ?? now;
  const from = parsed.data.from ?? to - EVENTS_LIMITS.defaultWindowMs;
  if (from >= to) {
    return {
      ok: false,
      issues: [{ parameter: "from", message: `from: must be earlier than to (from=${from}, to=${to})` }],
    };
  }
  if (to - from > EVENTS_LIMITS.maxWindowMs) {
    return { ok: false, issues: [{ parameter: "from", message: "from: the window may be at most 7 days" }] };
  }
  const limit = parsed.data.limit ?? EVENTS_LIMITS.defaultLimit;
  return { ok: true, query: { type: parsed.data.type, from, to, limit } };
}

function toParamIssues(issue: z.core.$ZodIssue): ParamIssue[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const hint = closest(key, PARAMETERS);
      const fix = hint ? `did you mean "${hint}"?` : `allowed: ${PARAMETERS.join(", ")}`;
      return { parameter: nameOf(key), message: `${nameOf(key)}: unknown parameter; ${fix}` };
    });
  }
  const parameter = String(issue.path[0] ?? "query");
  return [{ parameter, message: `${parameter}: ${issue.message}` }];
}
