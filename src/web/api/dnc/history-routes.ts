import type { FastifyInstance } from "fastify";
import type { TransferAudit } from "../../../dnc/library/library.ts";
import type { AccessControl } from "../../auth/access.ts";
import { HttpError, sendJson } from "../../responses.ts";
import { isStaff } from "./access-rules.ts";
import type { DncApiDeps } from "./ports.ts";
import { HISTORY_QUERY } from "./schemas.ts";
import type { WebTransfers } from "./transfer-registry.ts";

/**
 * `GET /api/dnc/transfers?mine=1&machine=&limit=` → `{ running: [view], transfers: [audit] }`:
 * what is running now and the audited history, newest first. A trainee
 * always gets their own; staff get everyone's unless `mine=1`. Only user
 * ids, never names.
 * The user's program library is in library-routes.ts.
 */
export function historyRoutes(
  app: FastifyInstance,
  access: AccessControl,
  deps: DncApiDeps,
  transfers: WebTransfers,
): void {
  app.get("/api/dnc/transfers", { onRequest: access.requireLogin }, (request, reply) => {
    const session = access.sessionOf(request);
    const parsed = HISTORY_QUERY.safeParse(request.query);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({
        parameter: i.path.join(".") || String((i as { keys?: string[] }).keys ?? "query"),
        message: i.message,
      }));
      throw new HttpError(
        400,
        "bad_query",
        `bad query: ${issues.map((i) => `${i.parameter}: ${i.message}`).join("; ")} (expected mine=1, machine, limit 1–500)`,
        { issues },
      );
    }
    const { mine, machine, limit } = parsed.data;
    const own = !isStaff(session.role) || mine === "1" || mine === "true";
    const user = own ? session.userId : undefined;
    const running = transfers.running(user).filter((t) => machine === undefined || t.machine === machine);
    const audited = deps.library.transfers({ user, machine, limit }).map(historyEntry);
    return sendJson(reply, 200, { running, transfers: audited });
  });
}

function historyEntry(t: TransferAudit & { id: number }) {
  return {
    id: t.id,
    machine: t.machine,
    direction: t.direction,
    fileName: t.name ?? null,
    bytes: t.bytes,
    durationMs: t.durationMs,
    result: t.result,
    ...(t.error ? { error: t.error } : {}),
    ...(t.fromLine !== undefined ? { fromLine: t.fromLine } : {}),
    user: t.user ?? null,
    startedAt: t.startedAt,
    endedAt: t.startedAt + t.durationMs,
  };
}
