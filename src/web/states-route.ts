import type { FastifyInstance } from "fastify";
import type { MachineStateName } from "../core/events.ts";
import type { RouteAccess } from "./auth/access.ts";
import { parseTime } from "./query-params.ts";
import { sendError, sendJson } from "./responses.ts";

export type StateSegment = { state: MachineStateName; from: number; to: number };
export type StateTimelineSource = {
  /** Back-to-back state segments of one machine in [from, to), the first being the state in effect at `from`. */
  stateTimeline(q: { machine: string; from: number; to: number }): StateSegment[] | Promise<StateSegment[]>;
};

/** The longest window one request may ask for: a week of state changes is still small. */
const MAX_WINDOW_MS = 7 * 24 * 3_600_000;

/**
 * `GET /api/machines/:id/states?from=&to=` → `{ machine, from, to, segments }`:
 * the machine page's state band. `from`/`to` as for history (epoch ms or
 * ISO-8601 with zone; default the last hour). 501 without a store that
 * keeps state changes.
 */
export function statesRoute(
  app: FastifyInstance,
  options: {
    machineIds: () => readonly string[];
    source: StateTimelineSource | undefined;
    access: RouteAccess;
    now: () => number;
  },
): void {
  app.get<{ Params: { id: string }; Querystring: Record<string, string | string[]> }>(
    "/api/machines/:id/states",
    options.access,
    async (request, reply) => {
      const { id } = request.params;
      if (!options.machineIds().includes(id)) {
        return sendError(
          reply,
          404,
          "unknown_machine",
          `no machine with id ${JSON.stringify(id.slice(0, 100))}`,
        );
      }
      const window = parseWindow(request.query, options.now());
      if ("message" in window)
        return sendError(reply, 400, "bad_query", window.message, { parameter: window.parameter });
      if (options.source === undefined) {
        return sendError(
          reply,
          501,
          "history_unavailable",
          "this gateway keeps no queryable history; configure timeseries.embedded to enable it",
        );
      }
      const segments = await options.source.stateTimeline({ machine: id, ...window });
      return sendJson(reply, 200, { machine: id, ...window, segments });
    },
  );
}

function parseWindow(
  query: Record<string, string | string[]>,
  now: number,
): { from: number; to: number } | { parameter: string; message: string } {
  for (const name of Object.keys(query)) {
    if (name !== "from" && name !== "to")
      return { parameter: name, message: `${name}: unknown parameter; use from and to` };
  }
  const time = (name: "from" | "to"): number | undefined | { parameter: string; message: string } => {
    const text = query[name];
    if (text === undefined) return undefined;
    if (Array.isArray(text))
      return { parameter: name, message: `${name}: given more than once; give it once` };
    return (
      parseTime(text) ?? {
        parameter: name,
        message: `${name}: expected milliseconds since 1970 or an ISO-8601 time with zone`,
      }
    );
  };
  const to = time("to") ?? now;
  if (typeof to === "object") return to;
  const from = time("from") ?? to - 3_600_000;
  if (typeof from === "object") return from;
  if (from >= to)
    return { parameter: "from", message: `from: must be earlier than to (from=${from}, to=${to})` };
  if (to - from > MAX_WINDOW_MS)
    return { parameter: "from", message: "from: the window may be at most 7 days" };
  return { from, to };
}
