import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EvidenceService } from "../../evidence/service.ts";
import type { AccessControl } from "../auth/access.ts";
import { parseBody } from "../request-body.ts";
import { HttpError, sendJson } from "../responses.ts";
import { fieldError, forbidden, notFound } from "./api-errors.ts";
import type { TrainingApiDeps } from "./deps.ts";
import { progressView } from "./progress-view.ts";
import { courseRosterFor, type TraineeParams, traineeFor } from "./trainee-access.ts";

// Competence evidence: the catalogue, one trainee's P/F/K with the evidence
// behind it, F and K, instructor notes, and a course's trainees × goals.
// Who may set which mark is the evidence side's rule (checkChange); this
// file only refuses early what no role could do and turns its verdicts into
// HTTP answers.

const STATUS_BODY = z
  .object({
    status: z.enum(["F", "K"], { error: 'expected "F" (finished) or "K" (signed)' }),
    comment: z.string().trim().max(2000, "at most 2000 characters").optional(),
  })
  .strict();

const NOTE_BODY = z
  .object({
    text: z
      .string({ error: "expected the note's text" })
      .trim()
      .min(1, "must not be empty")
      .max(4000, "at most 4000 characters"),
    goals: z.array(z.string().max(64), { error: "expected a list of goal ids" }).max(50).optional(),
  })
  .strict();

type GoalParams = { Params: { id: string; goalId: string } };

export function evidenceRoutes(
  app: FastifyInstance,
  access: AccessControl,
  deps: TrainingApiDeps,
  evidence: EvidenceService,
): void {
  const { users } = deps;
  const now = deps.clock ?? Date.now;
  const nameOfSubject = async (subject: string) => {
    const id = await evidence.personOfSubject(subject);
    return id === undefined ? undefined : (await users.get(id))?.displayName;
  };

  app.get("/api/catalogue", { onRequest: access.requireLogin }, async (_request, reply) => {
    const goals = [...evidence.catalogue.goals.values()].map((g) => ({
      id: g.id,
      code: g.code ?? null,
      title: g.title,
      assessment: g.assessment,
      catalogue: g.catalogue,
      ...(g.serves.length > 0 ? { serves: g.serves } : {}),
      ...(g.grep ? { link: g.grep } : {}),
    }));
    return sendJson(reply, 200, { goals });
  });

  app.get<TraineeParams>(
    "/api/trainees/:id/progress",
    { onRequest: access.requireLogin },
    async (request, reply) => {
      const { trainee } = await traineeFor(request, access, deps);
      const [states, records] = await Promise.all([
        evidence.marksOf(trainee.id),
        evidence.recordsOf(trainee.id),
      ]);
      const goals = await progressView(evidence.catalogue, states, records, {
        nameOfSubject,
        commentText: (ref) => evidence.noteText(ref),
      });
      return sendJson(reply, 200, { trainee: { id: trainee.id, name: trainee.displayName }, goals });
    },
  );

  app.post<GoalParams>(
    "/api/trainees/:id/goals/:goalId/status",
    { onRequest: access.requireRole("trainee", "instructor") },
    async (request, reply) => {
      const body = parseBody(STATUS_BODY, request.body);
      const { viewer, trainee } = await traineeFor(request, access, deps, { admins: false });
      const goalId = request.params.goalId;
      if (!evidence.catalogue.goals.has(goalId)) {
        throw notFound(`no goal "${goalId.slice(0, 64)}"`, "see GET /api/catalogue for the ids");
      }
      if (body.status === "K" && viewer.role !== "instructor")
        throw forbidden("forbidden", "only an instructor signs (K)");
      if (body.status === "K" && !body.comment)
        throw fieldError("comment", "required: a signature (K) needs a comment");
      const verdict = await evidence.changeMark({
        traineeId: trainee.id,
        goal: goalId,
        to: body.status,
        actor: {
          personId: viewer.userId,
          role: viewer.role,
          teachesTrainee: viewer.role === "instructor",
        },
        ...(body.comment ? { comment: body.comment } : {}),
        ts: now(),
      });
      if (!verdict.ok) throw new HttpError(409, "not_now", verdict.reason);
      return sendJson(reply, 200, { goalId, status: body.status, at: verdict.record?.ts ?? now() });
    },
  );

  app.post<TraineeParams>(
    "/api/trainees/:id/notes",
    { onRequest: access.requireRole("instructor") },
    async (request, reply) => {
      const body = parseBody(NOTE_BODY, request.body);
      const { viewer, trainee } = await traineeFor(request, access, deps, { admins: false });
      body.goals?.forEach((g, i) => {
        if (!evidence.catalogue.goals.has(g))
          throw fieldError(`goals.${i}`, `no goal "${g}"; see GET /api/catalogue`);
      });
      const record = await evidence.addNote({
        traineeId: trainee.id,
        authorId: viewer.userId,
        ts: now(),
        text: body.text,
        ...(body.goals ? { goals: body.goals } : {}),
      });
      return sendJson(reply, 201, { note: { id: record.seq, ts: record.ts, goals: record.goals } });
    },
  );

  app.get<TraineeParams>(
    "/api/courses/:id/matrix",
    { onRequest: access.requireRole("instructor", "admin") },
    async (request, reply) => {
      const roster = await courseRosterFor(request, access, deps);
      const goals = [...evidence.catalogue.goals.values()].map((g) => ({
        id: g.id,
        code: g.code ?? null,
        title: g.title,
      }));
      const trainees = [];
      for (const t of roster.trainees) {
        const states = await evidence.marksOf(t.id);
        const statuses: Record<string, string> = {};
        for (const g of goals) statuses[g.id] = states.get(g.id)?.mark ?? "none";
        trainees.push({ id: t.id, name: t.displayName, statuses });
      }
      return sendJson(reply, 200, { goals, trainees });
    },
  );
}
