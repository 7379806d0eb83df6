import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { CheckInResult } from "../../training/sessions/sessions.ts";
import type { AccessControl } from "../auth/access.ts";
import { parseBody } from "../request-body.ts";
import { HttpError, sendJson } from "../responses.ts";
import { fieldError, forbidden, notFound } from "./api-errors.ts";
import type { TrainingApiDeps } from "./deps.ts";
import { sessionEntry, traineeRef } from "./session-view.ts";
import { mayActFor, seesNames, type Viewer } from "./viewer.ts";

// Who is at which machine: the list, check-in (a trainee themself, or an
// instructor assigning one) and check-out. The rules (one trainee per
// machine, refuse or take over) live in SessionService; this file decides
// who may ask for what and what they may see in the answer.

const CHECKIN_BODY = z
  .object({
    userId: z
      .string({ error: "expected the trainee's user id" })
      .min(1, "expected the trainee's user id")
      .max(64, "expected a user id of at most 64 characters")
      .optional(),
  })
  .strict();

const CHECKOUT_BODY = z.object({}).strict();

type MachineParams = { Params: { id: string } };

export function sessionRoutes(app: FastifyInstance, access: AccessControl, deps: TrainingApiDeps): void {
  const { users, sessions, courses } = deps;

  const machineOf = (request: FastifyRequest<MachineParams>): string => {
    const id = request.params.id;
    if (!deps.machineIds().includes(id)) {
      throw notFound(`no machine "${id.slice(0, 64)}" on this gateway`, "see GET /api/machines for the ids");
    }
    return id;
  };

  app.get("/api/sessions", { onRequest: access.requireLogin }, async (request, reply) => {
    const viewer = access.sessionOf(request);
    const list = await Promise.all(sessions.openSessions().map((s) => sessionEntry(s, viewer, users)));
    return sendJson(reply, 200, { sessions: list });
  });

  app.post<MachineParams>(
    "/api/machines/:id/checkin",
    { onRequest: access.requireLogin },
    async (request, reply) => {
      const viewer = access.sessionOf(request);
      const machine = machineOf(request);
      const body = parseBody(CHECKIN_BODY, request.body ?? {});
      let result: CheckInResult;
      if (viewer.role === "trainee") {
        if (body.userId !== undefined && body.userId !== viewer.userId) {
          throw forbidden("not_yours", "a trainee checks in only themself; send {} without userId");
        }
        result = await sessions.checkIn({ machine, userId: viewer.userId, by: viewer.userId, source: "api" });
      } else {
        const traineeId = body.userId;
        if (traineeId === undefined) {
          throw fieldError("userId", "required: the trainee to put on this machine (only trainees check in)");
        }
        if ((await users.get(traineeId)) === undefined) {
          throw notFound(`no user "${traineeId.slice(0, 64)}"`, "see GET /api/users for the ids");
        }
        if (!(await mayActFor(courses, viewer, traineeId))) {
          throw forbidden("not_your_trainee", "you can assign only trainees of the courses you teach");
        }
        result = await sessions.assign({ machine, traineeId, instructorId: viewer.userId });
      }
      if (!result.ok) throw await refusal(result, viewer, deps);
      return sendJson(reply, 200, { session: await sessionEntry(result.session, viewer, users) });
    },
  );

  app.post<MachineParams>(
    "/api/machines/:id/checkout",
    { onRequest: access.requireLogin },
    async (request, reply) => {
      const viewer = access.sessionOf(request);
      const machine = machineOf(request);
      parseBody(CHECKOUT_BODY, request.body ?? {});
      const current = sessions.current(machine);
      if (current === undefined) throw notCheckedIn(machine);
      // Instructors may end anyone's session: they are in the room, and a trainee who walked off
      // should not hold a machine until the idle timeout.
      if (viewer.role === "trainee" && current.userId !== viewer.userId) {
        throw forbidden(
          "not_yours",
          "someone else is checked in on this machine; you can check out only yourself",
        );
      }
      const result = await sessions.checkOut({ machine, by: viewer.userId, userId: current.userId });
      if (!result.ok) throw notCheckedIn(machine);
      return sendJson(reply, 200, { ended: true });
    },
  );
}

function notCheckedIn(machine: string): HttpError {
  return new HttpError(409, "not_checked_in", `nobody is checked in on ${machine}`);
}

async function refusal(
  failure: Exclude<CheckInResult, { ok: true }>,
  viewer: Viewer,
  deps: TrainingApiDeps,
): Promise<HttpError> {
  switch (failure.error) {
    case "occupied": {
      const { holder } = failure;
      const occupant = seesNames(viewer) ? { occupant: await traineeRef(deps.users, holder.userId) } : {};
      return new HttpError(
        409,
        "occupied",
        `someone else has been checked in on ${holder.machine} since ${new Date(holder.since).toISOString()}; ` +
          "they check out first, or an instructor assigns the machine",
        { since: holder.since, you: false, ...occupant },
      );
    }
    case "unknown-machine":
      return notFound("this gateway does not run that machine", "check in on the gateway that owns it");
    case "unknown-user":
      return notFound("no such user", "see GET /api/users for the ids");
    case "user-disabled":
      return new HttpError(409, "user_disabled", "this account is disabled; an admin can enable it");
    case "not-a-trainee":
      return fieldError("userId", "is not a trainee; only trainees check in on machines");
  }
}
