import { beforeAll, describe, expect, it } from "vitest";
import { payloadOf } from "../../src/evidence/ledger/record.ts";
import { renderReportHtml } from "../../src/evidence/reports/html.ts";
import { buildTraineeReport, type TraineeReport } from "../../src/evidence/reports/model.ts";
import {
  renderCourseSummaryCsv,
  renderReportCsv,
  renderReportJson,
} from "../../src/evidence/reports/tabular.ts";
import { at, catalogue, runCourseDay } from "./course-day.ts";

const HOSTILE = `Ada "<script>alert(1)</script>" Ødegård`;
let report: TraineeReport;
let day: Awaited<ReturnType<typeof runCourseDay>>;

beforeAll(async () => {
  day = await runCourseDay();
  const s = day.service;
  const instr = { personId: "ingrid", role: "instructor" as const, teachesTrainee: true };
  await s.changeMark({
    traineeId: "ada",
    goal: "run-lathe",
    to: "F",
    actor: { personId: "ada", role: "trainee", teachesTrainee: false },
    ts: at(14),
  });
  await s.changeMark({
    traineeId: "ada",
    goal: "run-lathe",
    to: "K",
    actor: instr,
    comment: "Stødig <b>og</b> trygg",
    ts: at(15),
  });
  const records = await s.recordsOf("ada");
  const states = await s.marksOf("ada");
  const names = new Map([
    [(await s.subjectOf("ingrid"))!, "Ingrid Instruktør"],
    [(await s.subjectOf("ada"))!, HOSTILE],
  ]);
  const comments = new Map<string, string>();
  for (const r of records) {
    const ref = payloadOf(r).commentRef;
    if (typeof ref === "string") comments.set(ref, (await s.noteText(ref))!);
  }
  report = buildTraineeReport({
    lang: "nb",
    timeZone: "Europe/Oslo",
    generatedAt: at(16),
    traineeName: HOSTILE,
    courseName: "=CNC intensiv, vår 2027",
    catalogue,
    records,
    states,
    nameOfSubject: (subj) => names.get(subj),
    comments,
    chainHead: await day.store.head(),
  });
});

describe("trainee report", () => {
  it("holds marks with dates, the evidence behind each goal, hours per machine kind and signatures", () => {
    const run = report.goals.find((g) => g.id === "run-lathe")!;
    expect(run).toMatchObject({
      mark: "K",
      begunAt: at(8, 14),
      proposedAt: at(8, 54),
      finishedAt: at(14),
      finishedBy: HOSTILE,
      signedAt: at(15),
      signedBy: "Ingrid Instruktør",
      comment: "Stødig <b>og</b> trygg",
      serves: ["kv708-1", "kv708-4"],
      evidence: { records: 5, machines: ["lathe-1"], programs: ["O1234"], counts: { "cycle.completed": 5 } },
    });
    expect(report.goals.find((g) => g.id === "kv708-4")?.servedBy).toContain("run-lathe");
    expect(report.hoursByKind).toEqual({ lathe: 6.5 });
    expect(report.signatures).toEqual([
      { goal: "run-lathe", by: "Ingrid Instruktør", at: at(15), comment: "Stødig <b>og</b> trygg" },
    ]);
  });

  it("HTML is one self-contained A4 page with every value escaped", () => {
    const html = renderReportHtml(report);
    expect(html).toContain("@page { size: A4");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>og</b>");
    expect(html).toContain("Ada &#34;&#60;script&#62;alert(1)&#60;/script&#62;&#34; Ødegård");
    expect(html).toContain("Stødig &#60;b&#62;og&#60;/b&#62; trygg");
    expect(html).not.toMatch(/\s(src|href)=|@import|url\(/);
    expect(html).toContain("11.01.2027");
    expect(html).toContain(report.chainHead!.hash);
    expect(html).toMatch(/<td class="mark">K<\/td>/);
  });

  it("English report uses English titles and labels", () => {
    const html = renderReportHtml({ ...report, lang: "en", goals: report.goals });
    expect(html).toContain("Competence record");
    expect(html).toContain("11/01/2027");
  });

  it("CSV has one row per goal, quotes and defuses formulas; JSON round-trips", () => {
    const csv = renderReportCsv(report);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(1 + catalogue.goals.size);
    expect(lines[0]).toMatch(/^trainee,course,catalogue,goal,/);
    const run = lines.find((l) => l.includes(",run-lathe,"))!;
    expect(run.startsWith(`"Ada ""<script>alert(1)</script>"" Ødegård","'=CNC intensiv, vår 2027"`)).toBe(
      true,
    );
    expect(run).toContain(",K,2027-01-11,2027-01-11,2027-01-11,");
    const json = JSON.parse(renderReportJson(report));
    expect(json.goals).toHaveLength(catalogue.goals.size);
    expect(json.goals.find((g: { id: string }) => g.id === "run-lathe").signedAt).toBe(
      "2027-01-11T15:00:00.000Z",
    );
  });

  it("course summary: trainees × goals with marks", async () => {
    const csv = renderCourseSummaryCsv(catalogue, [
      { name: "Ada", states: await day.service.marksOf("ada") },
      { name: "Bo", states: await day.service.marksOf("bo") },
      { name: "+Cy", states: await day.service.marksOf("cy") },
    ]);
    const [head, ada, bo, cy] = csv.trimEnd().split("\r\n");
    const col = head!.split(",").indexOf("run-lathe");
    expect(ada!.split(",")[col]).toBe("K");
    expect(bo!.split(",")[col]).toBe("");
    expect(cy).toBe(`'+Cy${",".repeat(catalogue.goals.size)}`);
  });
});
