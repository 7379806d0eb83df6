import type { FastifyInstance } from "fastify";
import type { RouteAccess } from "./auth/access.ts";
import { type EventKind, type EventsQuery, parseEventsQuery } from "./events-query.ts";
import { sendError, sendJson } from "./responses.ts";

// GET /api/machines/:id/events?type=cycle.end|alarm|program.transfer&from=&to=&limit=
// The machine page's tables: cycles, alarms with durations, program transfers.
// Answered from the history store (embedded SQLite or InfluxDB, the same
// answers: test/sinks/history). A record's session pseudonym is never sent:
// who ran a cycle is for the training store to resolve per viewer ("you", a
// name for instructors), as GET /api/sessions does for open sessions.

type Window = { machine: string; from: number; to: number; limit: number };
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
    const events = await read(options.source, id, parsed.query);
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
): Promise<unknown[] | undefined> {
  const window: Window = { machine, from: q.from, to: q.to, limit: q.limit };
  const kind: EventKind = q.type;
  switch (kind) {
    case "cycle.end": {
      if (!source?.cycles) return undefined;
      return (await source.cycles(window)).map((c) => ({
        startedAt: c.startedAt,
        endedAt: c.endedAt,
        durationMs: c.durationMs,
        program: c.program,
        partsMade: c.partsMade,
        outcome: c.outcome,
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
