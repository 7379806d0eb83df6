import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { newCourseSchema, type Roster } from "../../training/people/courses.ts";
import { COURSE_ROLES, type Course } from "../../training/store/types.ts";
import type { AccessControl } from "../auth/access.ts";
import { parseBody } from "../request-body.ts";
import { sendJson } from "../responses.ts";
import { asHttp, fieldError, forbidden, notFound } from "./api-errors.ts";
import type { TrainingApiDeps } from "./deps.ts";
import { coursesTaughtBy } from "./viewer.ts";

// Courses (cohorts) and their rosters. Everyone sees the courses they are
// in; admins see all and create them; an instructor enrols trainees in the
// courses they teach; a roster (with names) is for that course's
// instructors and admins.

const MEMBERS_BODY = z
  .object({
    userIds: z
      .array(z.string().min(1, "expected a user id").max(64, "expected a user id"), {
        error: "expected a list of user ids",
      })
      .min(1, "expected at least one user id")
      .max(500, "at most 500 users at once"),
    role: z.enum(COURSE_ROLES, { error: "expected trainee or instructor" }).optional(),
  })
  .strict();

type CourseParams = { Params: { id: string } };

const courseView = (c: Course) => ({ id: c.id, name: c.name, startDate: c.startDate, endDate: c.endDate });

function rosterView(r: Roster) {
  return {
    course: courseView(r.course),
    instructors: r.instructors.map((u) => ({ id: u.id, name: u.displayName })),
    trainees: r.trainees.map((u) => ({
      id: u.id,
      name: u.displayName,
      username: u.username,
      disabled: u.disabled,
    })),
  };
}

export function courseRoutes(app: FastifyInstance, access: AccessControl, deps: TrainingApiDeps): void {
  const { courses, log } = deps;

  app.get("/api/courses", { onRequest: access.requireLogin }, async (request, reply) => {
    const viewer = access.sessionOf(request);
    if (viewer.role === "admin") {
      return sendJson(reply, 200, { courses: (await courses.list()).map(courseView) });
    }
    const mine = await courses.coursesOf(viewer.userId);
    const list = mine.map(({ course, role }) => ({ ...courseView(course), role }));
    list.sort((a, b) => a.startDate.localeCompare(b.startDate) || a.name.localeCompare(b.name, "nb"));
    return sendJson(reply, 200, { courses: list });
  });

  app.post("/api/courses", { onRequest: access.requireRole("admin") }, async (request, reply) => {
    const input = parseBody(newCourseSchema, request.body);
    const course = await asHttp(() => courses.add(input));
    log.info(
      { event: "api.course.added", course: course.id, by: access.sessionOf(request).userId },
      "course added",
    );
    return sendJson(reply, 201, { course: courseView(course) });
  });

  app.get<CourseParams>(
    "/api/courses/:id",
    { onRequest: access.requireRole("instructor", "admin") },
    async (request, reply) => {
      const viewer = access.sessionOf(request);
      const roster = await courses.roster(request.params.id);
      if (roster === undefined) throw noCourse(request.params.id);
      if (
        viewer.role === "instructor" &&
        !(await coursesTaughtBy(courses, viewer.userId)).has(roster.course.id)
      ) {
        throw forbidden("not_your_course", "you can see the rosters of the courses you teach only");
      }
      return sendJson(reply, 200, rosterView(roster));
    },
  );

  app.post<CourseParams>(
    "/api/courses/:id/members",
    { onRequest: access.requireRole("instructor", "admin") },
    async (request, reply) => {
      const viewer = access.sessionOf(request);
      const body = parseBody(MEMBERS_BODY, request.body);
      const courseId = request.params.id;
      if ((await courses.get(courseId)) === undefined) throw noCourse(courseId);
      if (viewer.role === "instructor") {
        if (!(await coursesTaughtBy(courses, viewer.userId)).has(courseId)) {
          throw forbidden("not_your_course", "you can enrol trainees only in the courses you teach");
        }
        if (body.role === "instructor") {
          throw forbidden("forbidden", "only an admin adds instructors to a course");
        }
        for (const [i, id] of body.userIds.entries()) {
          const user = await deps.users.get(id);
          if (user !== undefined && user.role !== "trainee") {
            throw fieldError(`userIds.${i}`, "is not a trainee; only an admin adds instructors to a course");
          }
        }
      }
      const role = viewer.role === "instructor" ? "trainee" : body.role;
      await asHttp(() => courses.enrol(courseId, body.userIds, role), { user: "userIds", role: "role" });
      log.info(
        { event: "api.course.enrolled", course: courseId, users: body.userIds.length, by: viewer.userId },
        "course members added",
      );
      return sendJson(reply, 200, rosterView((await courses.roster(courseId))!));
    },
  );
}

function noCourse(id: string) {
  return notFound(`no course "${id.slice(0, 64)}"`, "see GET /api/courses for the ids");
}
