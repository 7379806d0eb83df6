import type { MachineSnapshot } from "../core/events.ts";
import { parseHistoryQuery } from "./history-query.ts";
import { sendError, sendJson } from "./responses.ts";
import type { Route } from "./router.ts";

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
};

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

export function machineRoutes(source: FleetSource, history: HistorySource | undefined): Route[] {
  const isKnown = (id: string) => source.machines().some((m) => m.id === id);
  const notFound = (id: string) =>
    `no machine with id ${JSON.stringify(id)}; GET /api/machines lists the configured ids`;

  return [
    {
      method: "GET",
      path: "/api/machines",
      handle: ({ res }) => sendJson(res, 200, fleetView(source)),
    },
    {
      method: "GET",
      path: "/api/machines/:id",
      handle: ({ res, params }) => {
        const id = params.id!;
        const entry = fleetView(source).machines.find((m) => m.id === id);
        if (entry === undefined) return sendError(res, 404, "unknown_machine", notFound(id));
        sendJson(res, 200, entry);
      },
    },
    {
      method: "GET",
      path: "/api/machines/:id/history",
      handle: async ({ res, params, query }) => {
        const id = params.id!;
        if (!isKnown(id)) return sendError(res, 404, "unknown_machine", notFound(id));
        const parsed = parseHistoryQuery(query, source.now());
        if (!parsed.ok) {
          return sendError(res, 400, "bad_query", parsed.issues.map((i) => i.message).join("; "), {
            parameter: parsed.issues[0]!.parameter,
            issues: parsed.issues,
          });
        }
        if (history === undefined) {
          return sendError(
            res,
            501,
            "history_unavailable",
            "this gateway keeps no queryable history; configure timeseries.embedded to enable it",
          );
        }
        const { signal, from, to, maxPoints } = parsed.query;
        const points = await history.range({ machine: id, signal, from, to, maxPoints });
        sendJson(res, 200, { machine: id, signal, from, to, maxPoints, points });
      },
    },
  ];
}
