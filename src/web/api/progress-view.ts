import type { Catalogue } from "../../evidence/catalogue/load.ts";
import { type EvidenceRecord, payloadOf } from "../../evidence/ledger/record.ts";
import type { SubjectStates } from "../../evidence/rules/evaluate.ts";

// One trainee's P/F/K as the API shows it (API-CONTRACT.md, "Evidence"):
// per goal the mark, whether F is proposed, the dates, who signed with what
// comment, and the evidence behind it in one line each.

export type EvidenceItem = { id: number; type: string; ts: number; machine: string | null; summary: string };

export type GoalProgress = {
  goalId: string;
  status: "none" | "P" | "F" | "K";
  proposedF: boolean;
  dates: { P?: number; F?: number; K?: number };
  signedBy?: string;
  comment?: string;
  evidence: EvidenceItem[];
};

export type ProgressNames = {
  /** A signer's display name from their ledger subject. */
  nameOfSubject(subject: string): Promise<string | undefined>;
  commentText(ref: string): Promise<string | undefined>;
};

export async function progressView(
  catalogue: Catalogue,
  states: SubjectStates,
  records: readonly EvidenceRecord[],
  names: ProgressNames,
): Promise<GoalProgress[]> {
  const bySeq = new Map(records.map((r) => [r.seq, r]));
  const out: GoalProgress[] = [];
  for (const goal of catalogue.goals.values()) {
    const st = states.get(goal.id);
    const status = st?.mark ?? "none";
    const dates: GoalProgress["dates"] = {};
    if (st?.begunAt !== undefined) dates.P = st.begunAt;
    if (st?.finishedAt !== undefined) dates.F = st.finishedAt;
    if (st?.signedAt !== undefined) dates.K = st.signedAt;
    const entry: GoalProgress = {
      goalId: goal.id,
      status,
      proposedF: st?.proposedAt !== undefined && (status === "none" || status === "P"),
      dates,
      evidence: (st?.evidence ?? []).flatMap((seq) => {
        const r = bySeq.get(seq);
        return r ? [{ id: r.seq, type: r.type, ts: r.ts, machine: r.machine, summary: summarise(r) }] : [];
      }),
    };
    if (st?.signedBy !== undefined) entry.signedBy = (await names.nameOfSubject(st.signedBy)) ?? "(unknown)";
    if (st?.signedCommentRef !== undefined) {
      const comment = await names.commentText(st.signedCommentRef);
      if (comment !== undefined) entry.comment = comment;
    }
    out.push(entry);
  }
  return out;
}

const minutes = (ms: unknown) =>
  typeof ms === "number" ? `${Math.max(1, Math.round(ms / 60_000))} min` : "";

/** One line a person reads, from the record's payload (never a name: payloads hold none). */
export function summarise(r: EvidenceRecord): string {
  const p = payloadOf(r);
  const parts = (...xs: (string | false | undefined)[]) => xs.filter(Boolean).join(" · ");
  switch (r.type) {
    case "cycle.completed":
    case "cycle.aborted":
      return parts(
        typeof p.program === "string" ? p.program : "no program",
        typeof p.parts === "number" && `${p.parts} parts`,
        minutes(p.durationMs),
        r.type === "cycle.aborted" && "aborted",
      );
    case "program.transfer":
      return parts(`${p.direction} ${p.file}`, String(p.result));
    case "alarm.handled":
      return parts(`alarm ${p.code}`, `cleared after ${minutes(p.durationMs)}`);
    case "session.ended":
      return parts(`at the machine`, minutes(p.durationMs));
    default:
      return r.type;
  }
}
