import type { CatalogueGoal } from "../catalogue/load.ts";
import type { GoalState, SubjectStates } from "./evaluate.ts";

/** An automatic change the ledger has not written yet. */
export type AutomaticChange = { goal: string; to: "P" | "F-proposed"; ts: number };

/**
 * The P marks and F proposals the evidence has earned but that no status
 * record states yet. Writing them makes every change of mark a ledger record
 * with an author ("system"), as the paper book has a date for every mark.
 */
export function automaticChanges(states: SubjectStates): AutomaticChange[] {
  const out: AutomaticChange[] = [];
  for (const st of states.values()) {
    if (st.begunAt !== undefined && !st.recorded.P) out.push({ goal: st.goal, to: "P", ts: st.begunAt });
    if (st.proposedAt !== undefined && !st.recorded.proposal && st.mark !== "F" && st.mark !== "K") {
      out.push({ goal: st.goal, to: "F-proposed", ts: st.proposedAt });
    }
  }
  return out.sort((a, b) => a.ts - b.ts || a.goal.localeCompare(b.goal));
}

export type ActorRole = "trainee" | "instructor" | "admin";

export type ChangeRequest = {
  to: "F" | "K";
  role: ActorRole;
  /** The actor is the trainee the goal belongs to. */
  own: boolean;
  /** Instructors only: the actor teaches a course the trainee is enrolled in (decided by the caller). */
  teachesTrainee: boolean;
  comment?: string;
};

export type ChangeVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Who may set which mark, as in the paper book: the trainee confirms F only
 * where the machine evidence proposed it; an instructor of the trainee's
 * course sets F on any goal and alone signs K, always with a comment, and only
 * after F. Admins manage accounts, not marks.
 */
export function checkChange(
  goal: CatalogueGoal,
  state: GoalState | undefined,
  req: ChangeRequest,
): ChangeVerdict {
  const mark = state?.mark ?? "none";
  if (req.role === "admin")
    return { ok: false, reason: "only the trainee (F) or an instructor (F, K) changes marks" };
  if (req.role === "trainee") {
    if (!req.own) return { ok: false, reason: "a trainee can only confirm their own goals" };
    if (req.to === "K") return { ok: false, reason: "only an instructor signs (K)" };
    if (goal.assessment === "instructor")
      return { ok: false, reason: `goal ${goal.id} is instructor-assessed; an instructor sets F` };
    if (state?.proposedAt === undefined)
      return { ok: false, reason: `the rules of goal ${goal.id} are not met yet` };
  } else if (!req.teachesTrainee) {
    return { ok: false, reason: "only an instructor of the trainee's course can change the trainee's marks" };
  }
  if (req.to === "F") {
    if (mark === "F" || mark === "K") return { ok: false, reason: `goal ${goal.id} is already ${mark}` };
    return { ok: true };
  }
  if (mark === "K") return { ok: false, reason: `goal ${goal.id} is already signed` };
  if (mark !== "F") return { ok: false, reason: `goal ${goal.id} must be F (finished) before it is signed` };
  if (!req.comment || req.comment.trim() === "")
    return { ok: false, reason: "a signature (K) needs a comment" };
  return { ok: true };
}
