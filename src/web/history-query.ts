import { z } from "zod";
import { closest } from "../config/did-you-mean.ts";
import { isSignalId, SIGNALS, type SignalId } from "../core/signals.ts";
import {
  integerParam,
  type ParamIssue,
  queryWindow,
  readQueryParams,
  showValue as show,
  timeParam,
} from "./query-params.ts";

// parseTime lives in query-params.ts (shared with the events and states routes); exported here
// too because this is where its tests have always found it.
export { parseTime } from "./query-params.ts";

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
export type HistoryQueryResult = { ok: true; query: HistoryQuery } | { ok: false; issues: ParamIssue[] };

const PARAMETERS = ["signal", "from", "to", "points"] as const;
const SIGNAL_EXAMPLES = "spindle.speed, spindle.load, feed.override, part.count";

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

const historyParamsSchema = z
  .object({
    signal: z.string({ error: `required; add for example ?signal=spindle.speed` }).pipe(signalParam),
    from: timeParam.optional(),
    to: timeParam.optional(),
    points: integerParam(HISTORY_LIMITS.minPoints, HISTORY_LIMITS.maxPoints).optional(),
  })
  .strict();

/**
 * Validate the history query. `now` fills the defaults: `to` = now,
 * `from` = to − 10 min, `points` = 120.
 */
export function parseHistoryQuery(search: URLSearchParams, now: number): HistoryQueryResult {
  const parsed = readQueryParams(search, historyParamsSchema, PARAMETERS);
  if (!parsed.ok) return parsed;

  const window = queryWindow(parsed.data, now, HISTORY_LIMITS.defaultWindowMs);
  if (!window.ok) return window;
  const { from, to } = window.data;
  const maxPoints = parsed.data.points ?? HISTORY_LIMITS.defaultPoints;
  return { ok: true, query: { signal: parsed.data.signal, from, to, maxPoints } };
}
