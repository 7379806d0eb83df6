import type { FastifyInstance } from "fastify";
import type { AccessControl } from "../../auth/access.ts";
import { sendJson } from "../../responses.ts";
import { mayStart } from "./access-rules.ts";
import type { DncApiDeps } from "./ports.ts";

/**
 * `GET /api/dnc/machines`: the machines with a DNC line, their controller
 * profile, whether the line is busy now, and whether the asking user may
 * start a transfer there (checked in, or staff). Any logged-in role.
 */
export function machinesRoute(app: FastifyInstance, access: AccessControl, deps: DncApiDeps): void {
  app.get("/api/dnc/machines", { onRequest: access.requireLogin }, (request, reply) => {
    const session = access.sessionOf(request);
    const machines = deps.lines().map((e) => ({
      id: e.id,
      name: e.name,
      kind: e.kind,
      profile: e.line.profile.id,
      profileName: e.line.profile.name,
      transport: e.transport,
      memoryBytes: e.line.profile.memoryBytes,
      busy: e.line.busy,
      mayStart: mayStart(session, e.id, deps.checkIns),
    }));
    return sendJson(reply, 200, { machines });
  });
}
