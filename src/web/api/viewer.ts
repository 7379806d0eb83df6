import type { CourseService } from "../../training/people/courses.ts";
import type { Role } from "../auth/roles.ts";

// Who is asking, and what that lets them see. The route guards decide which
// roles reach a route; these are the data-dependent checks after the guard
// ("a trainee only themself", "an instructor only their courses' trainees").

export type Viewer = { userId: string; role: Role };

/** Names (and usernames) go only to instructors and admins; a trainee sees only their own. */
export function seesNames(viewer: Viewer): boolean {
  return viewer.role === "instructor" || viewer.role === "admin";
}

/**
 * May `viewer` act for (read, assign, sign for) trainee `traineeId`? The
 * trainee themself, an admin, or an instructor of one of the trainee's courses.
 */
export async function mayActFor(courses: CourseService, viewer: Viewer, traineeId: string): Promise<boolean> {
  if (viewer.role === "admin") return true;
  if (viewer.role === "trainee") return viewer.userId === traineeId;
  return courses.isInstructorOf(viewer.userId, traineeId);
}

/** The ids of courses `userId` teaches (course role instructor). */
export async function coursesTaughtBy(courses: CourseService, userId: string): Promise<Set<string>> {
  const taught = (await courses.coursesOf(userId)).filter((c) => c.role === "instructor");
  return new Set(taught.map((c) => c.course.id));
}
