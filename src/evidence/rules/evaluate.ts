import type { Catalogue, CatalogueGoal } from "../catalogue/load.ts";
import type { Rule } from "../catalogue/schema.ts";
import type { EvidenceRecord } from "../ledger/record.ts";
import { payloadOf } from "../ledger/record.ts";
import { contribution, requirement } from "./match.ts";
import { isStatusPayload, type Mark } from "./status.ts";

export type RuleProgress = { rule: Rule; have: number; need: number; met: boolean };

/** One trainee's standing on one goal, derived from the ledger alone. */
export type GoalState = {
  goal: string;
  mark: Mark;
  /** First evidence (P). */
  begunAt?: number;
  /** All rules met (machine goals): F is proposed until someone confirms it. */
  proposedAt?: number;
  finishedAt?: number;
  finishedBy?: string;
  signedAt?: number;
  signedBy?: string;
  signedCommentRef?: string;
  /** Seqs of the machine records that count for this goal (its own rules). */
  evidence: number[];
  progress: RuleProgress[];
  /** Automatic changes already written as status records (so they are written once). */
  recorded: { P: boolean; proposal: boolean };
};

export type SubjectStates = Map<string, GoalState>;

function fresh(goal: CatalogueGoal): GoalState {
  return {
    goal: goal.id,
    mark: "none",
    evidence: [],
    progress: goal.rules.map((rule) => ({ rule, have: 0, need: requirement(rule), met: false })),
    recorded: { P: false, proposal: false },
  };
}

/** Every goal at "none": a trainee without evidence. */
export function emptyStates(catalogue: Catalogue): SubjectStates {
  return new Map([...catalogue.goals.values()].map((g) => [g.id, fresh(g)]));
}

/**
 * P/F/K for every subject and goal, by replaying records in seq order. Pure:
 * the same records and catalogue always give the same answer, so the API,
 * the report and the tests agree. Curriculum goals are begun when a course
 * goal that serves them is begun.
 */
export function evaluate(
  records: Iterable<EvidenceRecord>,
  catalogue: Catalogue,
): Map<string, SubjectStates> {
  const out = new Map<string, SubjectStates>();
  const statesOf = (subject: string): SubjectStates => {
    let s = out.get(subject);
    if (!s) {
      s = emptyStates(catalogue);
      out.set(subject, s);
    }
    return s;
  };
  for (const r of records) {
    if (r.subject === null) continue;
    if (r.type === "subject.erased") {
      out.delete(r.subject);
      continue;
    }
    if (r.type === "note") continue;
    applyRecord(statesOf(r.subject), r, catalogue);
  }
  return out;
}

/**
 * Fold one record of a subject into that subject's states: the step
 * `evaluate` repeats for every record, exported so that a caller holding
 * states can bring them up to date with only the records added since
 * (EvidenceService's incremental evaluation). Records must come in seq order.
 */
export function applyRecord(states: SubjectStates, r: EvidenceRecord, catalogue: Catalogue): void {
  if (r.type === "note" || r.type === "subject.erased") return;
  const payload = payloadOf(r);
  if (r.type === "status.changed") {
    if (isStatusPayload(payload)) applyStatus(states.get(payload.goal), payload, r);
    return;
  }
  const input = { type: r.type, machine: r.machine, payload };
  for (const goal of catalogue.goals.values()) {
    const st = states.get(goal.id)!;
    let counted = false;
    for (const p of st.progress) {
      const add = contribution(p.rule, input);
      if (add > 0) {
        counted = true;
        p.have += add;
        p.met = p.have >= p.need;
      }
    }
    if (!counted) continue;
    st.evidence.push(r.seq);
    begin(st, r.ts);
    for (const served of goal.serves) {
      const c = states.get(served);
      if (c) begin(c, r.ts);
    }
    if (goal.assessment === "machine" && st.proposedAt === undefined && st.progress.every((p) => p.met)) {
      st.proposedAt = r.ts;
    }
  }
}

function begin(st: GoalState, ts: number): void {
  if (st.begunAt === undefined) st.begunAt = ts;
  if (st.mark === "none") st.mark = "P";
}

function applyStatus(
  st: GoalState | undefined,
  p: ReturnType<typeof payloadOf> & { to: string },
  r: EvidenceRecord,
): void {
  if (!st) return; // a goal removed from the catalogue: its history stays in the chain, not in the view
  switch (p.to) {
    case "P":
      st.recorded.P = true;
      begin(st, r.ts);
      break;
    case "F-proposed":
      st.recorded.proposal = true;
      st.proposedAt ??= r.ts;
      begin(st, r.ts);
      break;
    case "F":
      begin(st, r.ts);
      st.finishedAt = r.ts;
      st.finishedBy = r.author ?? undefined;
      if (st.mark !== "K") st.mark = "F";
      break;
    case "K":
      st.signedAt = r.ts;
      st.signedBy = r.author ?? undefined;
      st.signedCommentRef = typeof p.commentRef === "string" ? p.commentRef : undefined;
      st.mark = "K";
      break;
  }
}
