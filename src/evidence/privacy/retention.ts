import type { Logger } from "pino";
import type { RetentionPolicy } from "../config.ts";

/** A course as retention sees it: when it ends and who took it (ids from the training layer). */
export type CourseTerm = { courseId: string; endsAt: number; traineeIds: readonly string[] };

export type RetentionPlan = {
  /** Trainees whose every course ended more than N months ago. */
  erase: { traineeId: string; dueAt: number }[];
  /** Session links (trainee ↔ machine ↔ time) older than this go. */
  deleteSessionLinksBefore: number;
};

/** `ts` plus whole calendar months, in UTC (31 Jan + 1 month = 3 Mar, as Date does; good enough for "months"). */
export function addMonths(ts: number, months: number): number {
  const d = new Date(ts);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/**
 * What retention deletes now. A trainee in several courses keeps their
 * evidence until the last of those courses has run out: evidence is for
 * the apprenticeship, which follows the last course.
 */
export function retentionPlan(
  now: number,
  courses: readonly CourseTerm[],
  policy: RetentionPolicy,
): RetentionPlan {
  const due = new Map<string, number>();
  for (const c of courses) {
    const until = addMonths(c.endsAt, policy.evidenceMonthsAfterCourseEnd);
    for (const t of c.traineeIds) due.set(t, Math.max(due.get(t) ?? 0, until));
  }
  const erase = [...due]
    .filter(([, dueAt]) => dueAt <= now)
    .map(([traineeId, dueAt]) => ({ traineeId, dueAt }))
    .sort((a, b) => a.dueAt - b.dueAt || a.traineeId.localeCompare(b.traineeId));
  return { erase, deleteSessionLinksBefore: now - policy.sessionLinkDays * 86_400_000 };
}

export type RetentionActions = {
  /** EvidenceService.erase: writes `subject.erased`, then deletes the key and notes. */
  eraseEvidence(
    traineeId: string,
    reason: "retention",
    ts: number,
  ): Promise<{ subject: string; notesDeleted: number } | undefined>;
  /** The training layer deletes session rows that ended before `ts`; returns how many. */
  deleteSessionLinksBefore(ts: number): Promise<number>;
};

/**
 * Run a plan, logging every deletion (pseudonymous subject, never a name).
 * Run it daily; a trainee already erased is skipped quietly.
 */
export async function applyRetention(
  now: number,
  plan: RetentionPlan,
  actions: RetentionActions,
  log: Logger,
): Promise<{ erased: number; sessionLinksDeleted: number }> {
  let erased = 0;
  for (const e of plan.erase) {
    const done = await actions.eraseEvidence(e.traineeId, "retention", now);
    if (done) {
      erased++;
      log.info(
        { subject: done.subject, notesDeleted: done.notesDeleted, dueAt: new Date(e.dueAt).toISOString() },
        "retention: evidence made anonymous",
      );
    }
  }
  const sessionLinksDeleted = await actions.deleteSessionLinksBefore(plan.deleteSessionLinksBefore);
  log.info(
    { sessionLinksDeleted, before: new Date(plan.deleteSessionLinksBefore).toISOString() },
    "retention: session links deleted",
  );
  return { erased, sessionLinksDeleted };
}
