import { instantOfWallTime } from "./sessions/end-of-day.ts";
import type { TrainingStore } from "./store/types.ts";

// What evidence retention (src/evidence/privacy/retention-scheduler.ts) needs
// from the training layer, without knowing how courses and sessions are stored.

/** A course as retention sees it: the instant its last day ends, and its trainees. */
export type CourseEnd = { courseId: string; endsAt: number; traineeIds: string[] };

export function trainingRetentionSource(
  store: Pick<TrainingStore, "listCourses" | "listEnrolments" | "deleteSessionsEndedBefore">,
  timeZone: string,
): { courses(): Promise<CourseEnd[]>; deleteSessionLinksBefore(ts: number): Promise<number> } {
  return {
    async courses() {
      const out: CourseEnd[] = [];
      for (const c of await store.listCourses()) {
        const [y, m, d] = c.endDate.split("-").map(Number) as [number, number, number];
        // endDate is inclusive: the course ends at the following local midnight.
        const next = new Date(Date.UTC(y, m - 1, d + 1));
        const endsAt = instantOfWallTime(
          next.getUTCFullYear(),
          next.getUTCMonth() + 1,
          next.getUTCDate(),
          0,
          0,
          timeZone,
        );
        const trainees = await store.listEnrolments({ courseId: c.id });
        out.push({
          courseId: c.id,
          endsAt,
          traineeIds: trainees.filter((e) => e.role === "trainee").map((e) => e.userId),
        });
      }
      return out;
    },
    deleteSessionLinksBefore: (ts) => store.deleteSessionsEndedBefore(ts),
  };
}
