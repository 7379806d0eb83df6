import type { FastifyRequest } from "fastify";
import type { Roster } from "../../training/people/courses.ts";
import type { User } from "../../training/store/types.ts";
import type { AccessControl } from "../auth/access.ts";
import { forbidden, notFound } from "./api-errors.ts";
import type { TrainingApiDeps } from "./deps.ts";
import { coursesTaughtBy, mayActFor, type Viewer } from "./viewer.ts";

export type TraineeParams = { Params: { id: string } };

/**
 * The trainee a `/api/trainees/:id/…` route is about, after the check that
 * the caller may see them: the trainee themself, an instructor of one of
 * their courses, or (where `admins` allows) an admin. 404 for an unknown id
 * or someone who is not a trainee, 403 otherwise.
 */
export async function traineeFor(
  request: FastifyRequest<TraineeParams>,
  access: AccessControl,
  deps: TrainingApiDeps,
  options: { admins: boolean } = { admins: true },
): Promise<{ viewer: Viewer; trainee: User }> {
  const viewer = access.sessionOf(request);
  const id = request.params.id;
  const trainee = await deps.users.get(id);
  if (trainee === undefined || trainee.role !== "trainee") {
    throw notFound(`no trainee "${id.slice(0, 64)}"`, "see GET /api/users for the ids");
  }
  const admitted =
    viewer.role === "admin" ? options.admins : await mayActFor(deps.courses, viewer, trainee.id);
  if (!admitted) {
    throw forbidden("not_your_trainee", "you can see only your own evidence, or your courses' trainees'");
  }
  return { viewer, trainee };
}

/**
 * The course a `/api/courses/:id/…` evidence route (matrix, summary) is
 * about, with its roster, after the check that the caller may see it: an
 * admin, or an instructor who teaches it (the route guard keeps trainees out).
 * 404 for an unknown id, 403 for someone else's course.
 */
export async function courseRosterFor(
  request: FastifyRequest<TraineeParams>,
  access: AccessControl,
  deps: TrainingApiDeps,
): Promise<Roster> {
  const viewer = access.sessionOf(request);
  const roster = await deps.courses.roster(request.params.id);
  if (roster === undefined)
    throw notFound(`no course "${request.params.id.slice(0, 64)}"`, "see GET /api/courses");
  if (
    viewer.role === "instructor" &&
    !(await coursesTaughtBy(deps.courses, viewer.userId)).has(roster.course.id)
  ) {
    throw forbidden("not_your_course", "you can see the courses you teach only");
  }
  return roster;
}
