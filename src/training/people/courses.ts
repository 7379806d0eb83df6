import { z } from "zod";
import type { Course, CourseRole, TrainingStore, User } from "../store/types.ts";
import { newId } from "./ids.ts";
import { publicUser, UserInputError } from "./users.ts";

// Courses (cohorts) and who is in them. A trainee's course decides which
// instructors may read their evidence: isInstructorOf() is the check the API
// and the evidence side use.

const isoDate = (field: string) =>
  z
    .string({ error: `expected ${field} as YYYY-MM-DD` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `expected ${field} as YYYY-MM-DD`)
    .refine((v) => {
      const d = new Date(`${v}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
    }, `expected ${field} to be a real calendar date`);

export const newCourseSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "expected a course name")
      .max(120, "expected a name of at most 120 characters"),
    startDate: isoDate("a start date"),
    endDate: isoDate("an end date"),
  })
  .strict()
  .refine((c) => c.endDate >= c.startDate, {
    path: ["endDate"],
    message: "the end date is before the start date",
  });

export type NewCourseInput = z.input<typeof newCourseSchema>;

export type Roster = { course: Course; trainees: User[]; instructors: User[] };

export class CourseService {
  readonly #store: TrainingStore;
  readonly #now: () => number;

  constructor(store: TrainingStore, opts: { clock?: () => number } = {}) {
    this.#store = store;
    this.#now = opts.clock ?? Date.now;
  }

  async add(input: NewCourseInput): Promise<Course> {
    const r = newCourseSchema.safeParse(input);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new UserInputError(issue.path.map(String).join(".") || "course", issue.message);
    }
    const course: Course = { id: newId("c"), ...r.data, createdAt: this.#now() };
    await this.#store.insertCourse(course);
    return course;
  }

  get(id: string): Promise<Course | undefined> {
    return this.#store.getCourse(id);
  }

  list(): Promise<Course[]> {
    return this.#store.listCourses();
  }

  /**
   * Enrol users (all or none). The course role defaults to the user's own:
   * trainees as trainees, instructors and admins as instructors.
   */
  async enrol(courseId: string, userIds: readonly string[], role?: CourseRole): Promise<void> {
    if (!(await this.#store.getCourse(courseId)))
      throw new UserInputError("course", `no course with id ${courseId}`);
    const now = this.#now();
    const enrolments = [];
    for (const id of userIds) {
      const u = await this.#store.getUser(id);
      if (!u) throw new UserInputError("user", `no user with id ${id}`);
      const courseRole: CourseRole = role ?? (u.role === "trainee" ? "trainee" : "instructor");
      if (courseRole === "instructor" && u.role === "trainee") {
        throw new UserInputError("role", `user ${id} is a trainee and cannot be a course instructor`);
      }
      enrolments.push({ courseId, userId: id, role: courseRole, enrolledAt: now });
    }
    await this.#store.enrol(enrolments);
  }

  unenrol(courseId: string, userId: string): Promise<boolean> {
    return this.#store.unenrol(courseId, userId);
  }

  async roster(courseId: string): Promise<Roster | undefined> {
    const course = await this.#store.getCourse(courseId);
    if (!course) return undefined;
    const roster: Roster = { course, trainees: [], instructors: [] };
    for (const e of await this.#store.listEnrolments({ courseId })) {
      const u = await this.#store.getUser(e.userId);
      if (u) (e.role === "trainee" ? roster.trainees : roster.instructors).push(publicUser(u));
    }
    return roster;
  }

  /** The courses a user is in, with their role there. */
  async coursesOf(userId: string): Promise<{ course: Course; role: CourseRole }[]> {
    const out = [];
    for (const e of await this.#store.listEnrolments({ userId })) {
      const course = await this.#store.getCourse(e.courseId);
      if (course) out.push({ course, role: e.role });
    }
    return out;
  }

  /** true when `instructorId` teaches a course `traineeId` is a trainee in (admins are checked by the caller). */
  async isInstructorOf(instructorId: string, traineeId: string): Promise<boolean> {
    const teaches = new Set(
      (await this.#store.listEnrolments({ userId: instructorId }))
        .filter((e) => e.role === "instructor")
        .map((e) => e.courseId),
    );
    if (teaches.size === 0) return false;
    return (await this.#store.listEnrolments({ userId: traineeId })).some(
      (e) => e.role === "trainee" && teaches.has(e.courseId),
    );
  }
}
