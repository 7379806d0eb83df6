import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RouteAccess } from "./auth/access.ts";
import type { Role } from "./auth/roles.ts";
import { type EventKind, type EventsQuery, parseEventsQuery } from "./events-query.ts";
import { sendError, sendJson } from "./responses.ts";

// GET /api/machines/:id/events?type=cycle.end|alarm|program.transfer&from=&to=&limit=
// The machine page's tables: cycles, alarms with durations, program transfers.
// Answered from the history store (embedded SQLite or InfluxDB, the same
// answers: test/sinks/history). A record's session pseudonym is never sent:
// who ran a cycle is resolved per viewer by the training side (`cycleWho`,
// src/web/api/cycle-who.ts: "you", a name for instructors), as GET
// /api/sessions does for open sessions, and sent as `who`.

type Window = { machine: string; from: number; to: number; limit: number };

/** Who ran a cycle, as the viewer may see it: `you` for their own, the trainee only for instructors and admins. */
export type CycleWho = { you: boolean; trainee: { id: string; name: string } | null };

/** Who is asking, if anyone is logged in (the machine page is public while `web.liveRequiresLogin` is off). */
export type CycleViewer = { userId: string; role: Role };

/**
 * Resolves each cycle's session pseudonym for `viewer`, in order; null where
 * nobody known held it (no session, an erased trainee). Given by the training
 * API; without one every cycle's `who` is null.
 */
export type CycleWhoResolver = (q: {
  machine: string;
  viewer: CycleViewer | undefined;
  cycles: readonly { startedAt: number; endedAt: number; session: string | null }[];
}) => Promise<(CycleWho | null)[]>;
type Answer<T> = T[] | Promise<T[]>;

/** What the stores give (src/sinks/history/history.ts); only the fields the page shows. */
export type MachineEventsSource = {
  cycles?(q: Window): Answer<{
    program: string | null;
    startedAt: number;
    endedAt: number;
    durationMs: number;
    partsMade: number;
    outcome: string;
    /** The session pseudonym the cycle was stamped with; only ever passed to `cycleWho`. */
    session?: string | null;
  }>;
  alarms?(q: Window): Answer<{
    key: string;
    nativeCode: string;
    severity: string | null;
    text: string;
    raisedAt: number;
    clearedAt: number | null;
    durationMs: number | null;
  }>;
  transfers?(q: Window): Answer<{
    endedAt: number;
    direction: string;
    file: string;
    bytes: number;
    durationMs: number;
    result: string;
    error: string | null;
  }>;
};

export function machineEventsRoute(
  app: FastifyInstance,
  options: {
    machineIds: () => readonly string[];
    source: MachineEventsSource | undefined;
    access: RouteAccess;
    now: () => number;
    cycleWho?: CycleWhoResolver | undefined;
    viewerOf(request: FastifyRequest): Promise<CycleViewer | undefined>;
  },
): void {
  app.get<{ Params: { id: string } }>("/api/machines/:id/events", options.access, async (request, reply) => {
    const { id } = request.params;
    if (!options.machineIds().includes(id)) {
      return sendError(
        reply,
        404,
        "unknown_machine",
        `no machine with id ${JSON.stringify(id.slice(0, 100))}; GET /api/machines lists the configured ids`,
      );
    }
    // The raw query string, not fastify's parsed object: repeated parameters must stay visible.
    const start = request.url.indexOf("?");
    const parsed = parseEventsQuery(
      new URLSearchParams(start < 0 ? "" : request.url.slice(start + 1)),
      options.now(),
    );
    if (!parsed.ok) {
      return sendError(reply, 400, "bad_query", parsed.issues.map((i) => i.message).join("; "), {
        parameter: parsed.issues[0]?.parameter ?? "query",
        issues: parsed.issues,
      });
    }
    const events = await read(options.source, id, parsed.query, async (cycles) =>
      options.cycleWho
        ? options.cycleWho({ machine: id, viewer: await options.viewerOf(request), cycles })
        : cycles.map(() => null),
    );
    if (events === undefined) {
      return sendError(
        reply,
        501,
        "history_unavailable",
        `this gateway keeps no queryable history of ${parsed.query.type}; configure timeseries.embedded to enable it`,
      );
    }
    const { type, from, to, limit } = parsed.query;
    return sendJson(reply, 200, { machine: id, type, from, to, limit, events });
  });
}

/** The records of one kind, oldest first, in the API's shape; undefined when the store cannot answer. */
async function read(
  source: MachineEventsSource | undefined,
  machine: string,
  q: EventsQuery,
  whoRan: (
    cycles: readonly { startedAt: number; endedAt: number; session: string | null }[],
  ) => Promise<(CycleWho | null)[]>,
): Promise<unknown[] | undefined> {
  const window: Window = { machine, from: q.from, to: q.to, limit: q.limit };
  const kind: EventKind = q.type;
  switch (kind) {
    case "cycle.end": {
      if (!source?.cycles) return undefined;
      const cycles = await source.cycles(window);
      const who = await whoRan(cycles.map((c) => ({ ...c, session: c.session ?? null })));
      return cycles.map((c, i) => ({
        startedAt: c.startedAt,
        endedAt: c.endedAt,
        durationMs: c.durationMs,
        program: c.program,
        partsMade: c.partsMade,
        outcome: c.outcome,
        who: who[i] ?? null,
      }));
    }
    case "alarm": {
      if (!source?.alarms) return undefined;
      return (await source.alarms(window)).map((a) => ({
        raisedAt: a.raisedAt,
        clearedAt: a.clearedAt,
        durationMs: a.durationMs,
        code: a.nativeCode || a.key,
        severity: a.severity,
        text: a.text,
      }));
    }
    case "program.transfer": {
      if (!source?.transfers) return undefined;
      return (await source.transfers(window)).map((t) => ({
        endedAt: t.endedAt,
        direction: t.direction,
        file: t.file,
        bytes: t.bytes,
        durationMs: t.durationMs,
        result: t.result,
        error: t.error,
      }));
    }
  }
}
