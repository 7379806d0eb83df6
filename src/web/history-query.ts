import { z } from "zod";
import { closest } from "../config/did-you-mean.ts";
import { type IsoTimestampRules, parseIsoTimestamp } from "../core/iso-timestamp.ts";
import { isSignalId, SIGNALS, type SignalId } from "../core/signals.ts";

// Query parameters of GET /api/machines/:id/history. Every message names the
// parameter, says what was expected and shows what arrived, so whoever typed
// the URL (or wrote the dashboard) can fix it without reading code.

export const HISTORY_LIMITS = {
  /** Window when `from` is left out: what the live page's sparkline shows. */
  defaultWindowMs: 10 * 60_000,
  defaultPoints: 120,
  minPoints: 2,
  maxPoints: 2000,
} as const;

export type HistoryQuery = { signal: SignalId; from: number; to: number; maxPoints: number };
export type ParamIssue = { parameter: string; message: string };
export type HistoryQueryResult = { ok: true; query: HistoryQuery } | { ok: false; issues: ParamIssue[] };

const PARAMETERS = ["signal", "from", "to", "points"] as const;
const SIGNAL_EXAMPLES = "spindle.speed, spindle.load, feed.override, part.count";
const TIME_HINT =
  "milliseconds since 1970 (e.g. 1735689600000) or an ISO-8601 time with zone (e.g. 2025-01-01T08:00:00Z)";

const show = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
/** A parameter name as it starts a message: whoever sends a 9 KB name gets 60 characters of it back. */
const nameOf = (name: string) => (name.length > 60 ? `${name.slice(0, 60)}…` : name);

const signalParam = z.string().transform((text, ctx): SignalId => {
  if (isSignalId(text)) return text;
  const hint = closest(text, Object.keys(SIGNALS));
  ctx.addIssue({
    code: "custom",
    message: hint
      ? `unknown signal ${show(text)}; did you mean "${hint}"?`
      : `unknown signal ${show(text)}; use a catalogue id such as ${SIGNAL_EXAMPLES}`,
  });
  return z.NEVER;
});

const timeParam = z.string().transform((text, ctx): number => {
  const ms = parseTime(text);
  if (ms !== undefined) return ms;
  ctx.addIssue({ code: "custom", message: `expected ${TIME_HINT}, got ${show(text)}` });
  return z.NEVER;
});

const pointsParam = z.string().transform((text, ctx): number => {
  const n = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (n >= HISTORY_LIMITS.minPoints && n <= HISTORY_LIMITS.maxPoints) return n;
  ctx.addIssue({
    code: "custom",
    message: `expected an integer ${HISTORY_LIMITS.minPoints}–${HISTORY_LIMITS.maxPoints}, got ${show(text)}`,
  });
  return z.NEVER;
});

const historyParamsSchema = z
  .object({
    signal: z.string({ error: `required; add for example ?signal=spindle.speed` }).pipe(signalParam),
    from: timeParam.optional(),
    to: timeParam.optional(),
    points: pointsParam.optional(),
  })
  .strict();

// Only ISO-8601 with an explicit zone (never Date.parse's loose forms), so "May" never means a
// time and a zoneless time is never silently read in some zone the person did not mean.
const QUERY_TIME: IsoTimestampRules = { secondsRequired: false, zoneRequired: true };

/** Epoch milliseconds or an ISO-8601 date-time with zone; anything else is undefined. */
export function parseTime(text: string): number | undefined {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  return parseIsoTimestamp(text, QUERY_TIME);
}

/**
 * Validate the history query. `now` fills the defaults: `to` = now,
 * `from` = to − 10 min, `points` = 120.
 */
export function parseHistoryQuery(search: URLSearchParams, now: number): HistoryQueryResult {
  // No prototype: a parameter named `constructor`, `toString` or `__proto__` is just an unknown
  // parameter, never "given more than once" (found on the prototype) nor a prototype to set.
  const raw: Record<string, string> = Object.create(null);
  const issues: ParamIssue[] = [];
  for (const [name, value] of search) {
    if (Object.hasOwn(raw, name))
      issues.push({
        parameter: nameOf(name),
        message: `${nameOf(name)}: given more than once; give it once`,
      });
    raw[name] = value;
  }
  if (issues.length > 0) return { ok: false, issues };

  const parsed = historyParamsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.flatMap(toParamIssues) };

  const to = parsed.data.to ?? now;
  const from = parsed.data.from ?? to - HISTORY_LIMITS.defaultWindowMs;
  if (from >= to) {
    return {
      ok: false,
      issues: [{ parameter: "from", message: `from: must be earlier than to (from=${from}, to=${to})` }],
    };
  }
  const maxPoints = parsed.data.points ?? HISTORY_LIMITS.defaultPoints;
  return { ok: true, query: { signal: parsed.data.signal, from, to, maxPoints } };
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
