import { z } from "zod";
import { closest } from "../config/did-you-mean.ts";
import {
  integerParam,
  type ParamIssue,
  queryWindow,
  readQueryParams,
  showValue as show,
  timeParam,
} from "./query-params.ts";

// Query parameters of GET /api/machines/:id/events: which kind of record and
// which window. The same rules and message style as the history route, from
// query-params.ts: every message names the parameter and the fix.

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

const eventsParamsSchema = z
  .object({
    type: z
      .string({ error: `required; add for example ?type=cycle.end (${EVENT_KINDS.join(", ")})` })
      .pipe(typeParam),
    from: timeParam.optional(),
    to: timeParam.optional(),
    limit: integerParam(1, EVENTS_LIMITS.maxLimit).optional(),
  })
  .strict();

/** Validate the query; `now` fills the defaults: `to` = now, `from` = to − 1 h, `limit` = 500. */
export function parseEventsQuery(search: URLSearchParams, now: number): EventsQueryResult {
  const parsed = readQueryParams(search, eventsParamsSchema, PARAMETERS);
  if (!parsed.ok) return parsed;

  const window = queryWindow(parsed.data, now, EVENTS_LIMITS.defaultWindowMs);
  if (!window.ok) return window;
  const { from, to } = window.data;
  if (to - from > EVENTS_LIMITS.maxWindowMs) {
    return { ok: false, issues: [{ parameter: "from", message: "from: the window may be at most 7 days" }] };
  }
  const limit = parsed.data.limit ?? EVENTS_LIMITS.defaultLimit;
  return { ok: true, query: { type: parsed.data.type, from, to, limit } };
}
