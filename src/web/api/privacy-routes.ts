import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EvidenceService } from "../../evidence/service.ts";
import type { AccessControl } from "../auth/access.ts";
import { parseBody } from "../request-body.ts";
import { HttpError, sendJson } from "../responses.ts";
import type { TrainingApiDeps } from "./deps.ts";
import { type TraineeParams, traineeFor } from "./trainee-access.ts";

// A trainee's rights under the GDPR, exercised by an admin, as
// `maskinport trainees export|erase` does them: everything held about them
// (access, art. 15) and erasure (art. 17). Erasure ends their machine and web
// sessions, then the evidence side deletes their key and notes (the records
// stay, anonymous, and the chain still verifies), then the roster keeps only
// an anonymous, disabled shell of the account and drops its session rows.

const ERASE_BODY = z
  .object({ confirm: z.literal(true, { error: "send confirm: true; erasure cannot be undone" }) })
  .strict();

export function privacyRoutes(
  app: FastifyInstance,
  access: AccessControl,
  deps: TrainingApiDeps,
  evidence: EvidenceService,
): void {
  const { users, courses, sessions, log } = deps;
  const now = deps.clock ?? Date.now;

  app.get<TraineeParams>(
    "/api/trainees/:id/export",
    { onRequest: access.requireRole("admin") },
    async (request, reply) => {
      const { trainee } = await traineeFor(request, access, deps);
      // The same shape as `maskinport trainees export` (src/cli/trainees.ts): one answer to an access request.
      const [enrolments, held, states, machineSessions] = await Promise.all([
        courses.coursesOf(trainee.id),
        evidence.exportOf(trainee.id),
        evidence.marksOf(trainee.id),
        sessions.historyOf(trainee.id),
      ]);
      const marks = [...states.values()]
        .filter((st) => st.mark !== "none")
        .map(({ recorded: _recorded, progress, ...st }) => ({
          ...st,
          progress: progress.map((p) => ({ have: p.have, need: p.need, met: p.met })),
        }));
      log.info(
        { event: "api.trainee.exported", user: trainee.id, by: access.sessionOf(request).userId },
        "trainee data exported",
      );
      return sendJson(
        reply,
        200,
        {
          exportedAt: new Date(now()).toISOString(),
          user: trainee,
          courses: enrolments.map((e) => ({ ...e.course, role: e.role })),
          sessions: machineSessions,
          evidence: { subject: held.subject ?? null, marks, records: held.records, notes: held.notes },
        },
        { "Content-Disposition": `attachment; filename="trainee-${trainee.id}.json"` },
      );
    },
  );

  app.post<TraineeParams>(
    "/api/trainees/:id/erase",
    { onRequest: access.requireRole("admin") },
    async (request, reply) => {
      parseBody(ERASE_BODY, request.body);
      const { viewer, trainee } = await traineeFor(request, access, deps);
      await sessions.endForUser(trainee.id, "disabled", viewer.userId);
      await access.sessions.destroyUser(trainee.id);
      const erased = await evidence.erase(trainee.id, "request", now());
      const blanked = await users.erasePersonalData(trainee.id);
      if (!blanked) throw new HttpError(404, "not_found", "the trainee vanished while being erased");
      log.info(
        {
          event: "api.trainee.erased",
          user: trainee.id,
          by: viewer.userId,
          notesDeleted: erased?.notesDeleted ?? 0,
        },
        "trainee erased",
      );
      return sendJson(reply, 200, {
        erased: true,
        sessionsDeleted: blanked.sessionsDeleted,
        evidenceNotesDeleted: erased?.notesDeleted ?? 0,
      });
    },
  );
}
