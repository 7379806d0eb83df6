import type { Catalogue } from "../catalogue/load.ts";
import type { SubjectStates } from "../rules/evaluate.ts";
import { csvLine, isoDate } from "./format.ts";
import type { TraineeReport } from "./model.ts";

/** The report as JSON (the same object the HTML shows; dates as ISO instants). */
export function renderReportJson(r: TraineeReport): string {
  return JSON.stringify(
    r,
    (key, value) => (typeof value === "number" && /At$/.test(key) ? new Date(value).toISOString() : value),
    2,
  );
}

/** One row per goal, for a training office's spreadsheet. */
export function renderReportCsv(r: TraineeReport): string {
  let out = csvLine([
    "trainee",
    "course",
    "catalogue",
    "goal",
    "code",
    "title",
    "assessment",
    "mark",
    "begun",
    "proposed",
    "finished",
    "finished_by",
    "signed",
    "signed_by",
    "comment",
    "evidence_records",
    "machines",
    "programs",
  ]);
  for (const g of r.goals) {
    out += csvLine([
      r.trainee,
      r.course,
      g.catalogue,
      g.id,
      g.code,
      g.title,
      g.assessment,
      g.mark === "none" ? "" : g.mark,
      isoDate(g.begunAt, r.timeZone),
      isoDate(g.proposedAt, r.timeZone),
      isoDate(g.finishedAt, r.timeZone),
      g.finishedBy,
      isoDate(g.signedAt, r.timeZone),
      g.signedBy,
      g.comment,
      g.evidence.records,
      g.evidence.machines.join(" "),
      g.evidence.programs.join(" "),
    ]);
  }
  return out;
}

/**
 * Course summary: one row per trainee, one column per goal, the mark in each
 * cell. Person-level, so for instructors only; names come from the caller.
 */
export function renderCourseSummaryCsv(
  catalogue: Catalogue,
  trainees: readonly { name: string; states: SubjectStates }[],
): string {
  const goals = [...catalogue.goals.keys()];
  let out = csvLine(["trainee", ...goals]);
  for (const t of trainees) {
    out += csvLine([
      t.name,
      ...goals.map((g) => {
        const m = t.states.get(g)?.mark ?? "none";
        return m === "none" ? "" : m;
      }),
    ]);
  }
  return out;
}
