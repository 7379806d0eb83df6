import type { Catalogue } from "../catalogue/load.ts";
import type { ChainHead, EvidenceRecord } from "../ledger/record.ts";
import { payloadOf } from "../ledger/record.ts";
import type { SubjectStates } from "../rules/evaluate.ts";
import type { Mark } from "../rules/status.ts";

export type Lang = "nb" | "en";

/** The evidence behind one goal, summed up the way a training office reads it. */
export type EvidenceSummary = {
  records: number;
  firstAt?: number;
  lastAt?: number;
  machines: string[];
  programs: string[];
  /** Counts per record type, e.g. {"cycle.completed": 5}. */
  counts: Record<string, number>;
};

export type ReportGoal = {
  id: string;
  catalogue: string;
  code?: string;
  link?: string;
  title: string;
  assessment: "machine" | "instructor";
  mark: Mark;
  begunAt?: number;
  proposedAt?: number;
  finishedAt?: number;
  finishedBy?: string;
  signedAt?: number;
  signedBy?: string;
  comment?: string;
  serves: string[];
  servedBy: string[];
  progress: { need: number; have: number; met: boolean }[];
  evidence: EvidenceSummary;
};

export type TraineeReport = {
  lang: Lang;
  timeZone: string;
  generatedAt: number;
  trainee: string;
  course: string;
  goals: ReportGoal[];
  /** Hours at the machines per machine kind, from closed sessions. */
  hoursByKind: Record<string, number>;
  signatures: { goal: string; by: string; at: number; comment?: string }[];
  /** The chain head when the report was made: lets the company check it later against `evidence verify`. */
  chainHead?: ChainHead;
};

export type ReportInput = {
  lang: Lang;
  timeZone: string;
  generatedAt: number;
  /** Names are passed in by the caller (the training layer); the ledger has none. */
  traineeName: string;
  courseName: string;
  catalogue: Catalogue;
  /** The trainee's own records (EvidenceService.recordsOf). */
  records: readonly EvidenceRecord[];
  states: SubjectStates;
  /** Display name of a subject who set F or K (instructor or the trainee), if known. */
  nameOfSubject: (subject: string) => string | undefined;
  /** Texts of the K comments by reference (kept outside the chain). */
  comments: ReadonlyMap<string, string>;
  chainHead?: ChainHead;
};

function summarise(seqs: readonly number[], bySeq: Map<number, EvidenceRecord>): EvidenceSummary {
  const machines = new Set<string>();
  const programs = new Set<string>();
  const counts: Record<string, number> = {};
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  for (const seq of seqs) {
    const r = bySeq.get(seq);
    if (!r) continue;
    if (r.machine) machines.add(r.machine);
    const p = payloadOf(r);
    if (typeof p.program === "string") programs.add(p.program);
    if (typeof p.file === "string") programs.add(p.file);
    counts[r.type] = (counts[r.type] ?? 0) + 1;
    firstAt = firstAt === undefined ? r.ts : Math.min(firstAt, r.ts);
    lastAt = lastAt === undefined ? r.ts : Math.max(lastAt, r.ts);
  }
  return {
    records: seqs.length,
    firstAt,
    lastAt,
    machines: [...machines].sort(),
    programs: [...programs].sort(),
    counts,
  };
}

/** Everything the report shows, as data: HTML, JSON and CSV render this one object. */
export function buildTraineeReport(input: ReportInput): TraineeReport {
  const bySeq = new Map(input.records.map((r) => [r.seq, r]));
  const servedBy = new Map<string, string[]>();
  for (const g of input.catalogue.goals.values()) {
    for (const s of g.serves) servedBy.set(s, [...(servedBy.get(s) ?? []), g.id]);
  }
  const name = (s: string | undefined) => (s === undefined ? undefined : (input.nameOfSubject(s) ?? s));
  const goals: ReportGoal[] = [];
  for (const g of input.catalogue.goals.values()) {
    const st = input.states.get(g.id);
    goals.push({
      id: g.id,
      catalogue: g.catalogue,
      code: g.code,
      link: g.grep,
      title: g.title[input.lang],
      assessment: g.assessment,
      mark: st?.mark ?? "none",
      begunAt: st?.begunAt,
      proposedAt: st?.proposedAt,
      finishedAt: st?.finishedAt,
      finishedBy: name(st?.finishedBy),
      signedAt: st?.signedAt,
      signedBy: name(st?.signedBy),
      comment: st?.signedCommentRef ? input.comments.get(st.signedCommentRef) : undefined,
      serves: g.serves,
      servedBy: servedBy.get(g.id) ?? [],
      progress: (st?.progress ?? []).map((p) => ({
        need: p.need,
        have: Math.round(p.have * 100) / 100,
        met: p.met,
      })),
      evidence: summarise(st?.evidence ?? [], bySeq),
    });
  }
  const hoursByKind: Record<string, number> = {};
  for (const r of input.records) {
    if (r.type !== "session.ended") continue;
    const p = payloadOf(r);
    const kind = typeof p.machineKind === "string" ? p.machineKind : "other";
    const ms = typeof p.durationMs === "number" ? p.durationMs : 0;
    hoursByKind[kind] = Math.round(((hoursByKind[kind] ?? 0) + ms / 3_600_000) * 100) / 100;
  }
  const signatures = goals
    .filter((g) => g.signedAt !== undefined)
    .map((g) => ({ goal: g.id, by: g.signedBy ?? "", at: g.signedAt!, comment: g.comment }));
  return {
    lang: input.lang,
    timeZone: input.timeZone,
    generatedAt: input.generatedAt,
    trainee: input.traineeName,
    course: input.courseName,
    goals,
    hoursByKind,
    signatures,
    chainHead: input.chainHead,
  };
}
