import { CourseService } from "./people/courses.ts";
import { UserService } from "./people/users.ts";
import type { Course, TrainingStore, User } from "./store/types.ts";

// The demo's people (`training.demo: true`): one instructor and four trainees
// in one course, with fixed, published credentials (src/training/README.md)
// so that anyone can log in to the demo. Never for a real site.

export const DEMO_COURSE_NAME = "Demo: CNC intensiv";

export const DEMO_USERS = [
  {
    username: "instruktor",
    displayName: "Ingrid Instruktør",
    role: "instructor",
    password: "demo-instruktor",
    badge: "DEMO-I1",
  },
  { username: "elev1", displayName: "Elev En", role: "trainee", password: "demo-elev1", badge: "DEMO-E1" },
  { username: "elev2", displayName: "Elev To", role: "trainee", password: "demo-elev2", badge: "DEMO-E2" },
  { username: "elev3", displayName: "Elev Tre", role: "trainee", password: "demo-elev3", badge: "DEMO-E3" },
  { username: "elev4", displayName: "Elev Fire", role: "trainee", password: "demo-elev4", badge: "DEMO-E4" },
] as const;

export type DemoSeed = { course: Course; instructor: User; trainees: User[]; created: boolean };

function isoDate(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/**
 * Create the demo course and its people unless they exist (idempotent: a
 * restarted demo keeps its data). The course runs four weeks from today.
 */
export async function seedDemo(store: TrainingStore, clock: () => number = Date.now): Promise<DemoSeed> {
  const users = new UserService(store, { clock });
  const courses = new CourseService(store, { clock });
  let created = false;
  const people: User[] = [];
  for (const d of DEMO_USERS) {
    let u = await users.findByUsername(d.username);
    if (!u) {
      u = (
        await users.add(
          { username: d.username, displayName: d.displayName, role: d.role, badge: d.badge },
          d.password,
        )
      ).user;
      created = true;
    }
    people.push(u);
  }
  let course = (await courses.list()).find((c) => c.name === DEMO_COURSE_NAME);
  if (!course) {
    const today = clock();
    course = await courses.add({
      name: DEMO_COURSE_NAME,
      startDate: isoDate(today),
      endDate: isoDate(today + 27 * 86_400_000),
    });
    created = true;
  }
  await courses.enrol(
    course.id,
    people.map((p) => p.id),
  );
  const [instructor, ...trainees] = people;
  return { course, instructor: instructor!, trainees, created };
}
