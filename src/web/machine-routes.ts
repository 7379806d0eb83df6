import type { FastifyInstance } from "fastify";
import type { MachineSnapshot } from "../core/events.ts";
import type { RouteAccess } from "./auth/access.ts";
import { parseHistoryQuery } from "./history-query.ts";
import type { MachineEventsSource } from "./machine-events-route.ts";
import { sendError, sendJson } from "./responses.ts";
import type { StateTimelineSource } from "./states-route.ts";

export type MachineInfo = { id: string; name: string; kind: string };

/**
 * One point of a downsampled range, passed through as the store gives it:
 * numbers may carry the bucket's min and max; text signals (execution,
 * program.name) give the bucket's last value.
 */
export type HistoryPoint = {
  ts: number;
  value: number | string | null;
  min?: number | null;
  max?: number | null;
};
export type HistoryRangeQuery = {
  machine: string;
  signal: string;
  from: number;
  to: number;
  maxPoints: number;
};
export type HistorySource = {
  /** Downsampled range of one signal. May be synchronous (node:sqlite) or not (a remote store). */
  range(q: HistoryRangeQuery): HistoryPoint[] | Promise<HistoryPoint[]>;
  /** State segments for the machine page's state band (GET /api/machines/:id/states); optional. */
  stateTimeline?: StateTimelineSource["stateTimeline"];
} & MachineEventsSource; // cycles, alarms, transfers for the machine page's tables (GET /api/machines/:id/events); optional

/** One machine as the API and the live page see it: configuration plus current state (null before any data). */
export type FleetEntry = MachineInfo & { snapshot: MachineSnapshot | null };
export type FleetView = { serverTime: number; machines: FleetEntry[] };

export type FleetSource = {
  machines(): MachineInfo[];
  snapshots(): MachineSnapshot[];
  now(): number;
};

/** Configured machines in configured order, each with its snapshot. */
export function fleetView(source: FleetSource): FleetView {
  const byMachine = new Map(source.snapshots().map((s) => [s.machine, s]));
  const machines: FleetEntry[] = source.machines().map((m) => {
    const snapshot = byMachine.get(m.id) ?? null;
    byMachine.delete(m.id);
    return { id: m.id, name: m.name, kind: m.kind, snapshot };
  });
  // A snapshot for a machine missing from the config is a wiring bug, but hiding it would hide data.
  for (const snapshot of byMachine.values()) {
    machines.push({ id: snapshot.machine, name: snapshot.machine, kind: "unknown", snapshot });
  }
  return { serverTime: source.now(), machines };
}

/**
 * The fleet as JSON: all machines, one machine, one signal's history. Public
 * by default (the wall screen has no login); `access` is where
 * `web.liveRequiresLogin` puts a guard in front of all three.
 */
export function machineRoutes(
  app: FastifyInstance,
  options: { source: FleetSource; history: HistorySource | undefined; access: RouteAccess },
): void {
  const { source, history, access } = options;
  const isKnown = (id: string) => source.machines().some((m) => m.id === id);
  const notFound = (id: string) =>
    `no machine with id ${JSON.stringify(id)}; GET /api/machines lists the configured ids`;

  app.get("/api/machines", access, (_request, reply) => sendJson(reply, 200, fleetView(source)));

  app.get<{ Params: { id: string } }>("/api/machines/:id", access, (request, reply) => {
    const { id } = request.params;
    const entry = fleetView(source).machines.find((m) => m.id === id);
    if (entry === undefined) return sendError(reply, 404, "unknown_machine", notFound(id));
    return sendJson(reply, 200, entry);
  });

  app.get<{ Params: { id: string } }>("/api/machines/:id/history", access, async (request, reply) => {
    const { id } = request.params;
    if (!isKnown(id)) return sendError(reply, 404, "unknown_machine", notFound(id));
    // The raw query string, not fastify's parsed object: repeated parameters must stay visible.
    const parsed = parseHistoryQuery(rawQuery(request.url), source.now());
    if (!parsed.ok) {
      return sendError(reply, 400, "bad_query", parsed.issues.map((i) => i.message).join("; "), {
        parameter: parsed.issues[0]!.parameter,
        issues: parsed.issues,
      });
    }
    if (history === undefined) {
      return sendError(
        reply,
        501,
        "history_unavailable",
        "this gateway keeps no queryable history; configure timeseries.embedded to enable it",
      );
    }
    const { signal, from, to, maxPoints } = parsed.query;
    const points = await history.range({ machine: id, signal, from, to, maxPoints });
    return sendJson(reply, 200, { machine: id, signal, from, to, maxPoints, points });
  });
}

function rawQuery(url: string): URLSearchParams {
  const start = url.indexOf("?");
  return new URLSearchParams(start < 0 ? "" : url.slice(start + 1));
}
