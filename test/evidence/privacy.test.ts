import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { defaultEvidenceConfig, evidenceConfigSchema } from "../../src/evidence/config.ts";
import { addMonths, applyRetention, retentionPlan } from "../../src/evidence/privacy/retention.ts";
import { privacySheet } from "../../src/evidence/privacy/sheet.ts";

const D = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe("retention", () => {
  const policy = { evidenceMonthsAfterCourseEnd: 6, sessionLinkDays: 30 };
  const courses = [
    { courseId: "spring", endsAt: D("2027-02-05"), traineeIds: ["ada", "bo"] },
    { courseId: "autumn", endsAt: D("2027-10-01"), traineeIds: ["bo", "cy"] },
  ];

  it("erases a trainee only when the last of their courses has run out, and session links after N days", () => {
    expect(retentionPlan(D("2027-08-04"), courses, policy).erase).toEqual([]);
    const plan = retentionPlan(D("2027-08-05"), courses, policy);
    expect(plan.erase).toEqual([{ traineeId: "ada", dueAt: D("2027-08-05") }]);
    expect(plan.deleteSessionLinksBefore).toBe(D("2027-07-06"));
    expect(retentionPlan(D("2028-04-01"), courses, policy).erase.map((e) => e.traineeId)).toEqual([
      "ada",
      "bo",
      "cy",
    ]);
  });

  it("addMonths works in calendar months", () => {
    expect(addMonths(D("2027-01-15"), 12)).toBe(D("2028-01-15"));
  });

  it("applies a plan and logs each deletion by pseudonymous subject, never by trainee id", async () => {
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (l: string) => lines.push(l) });
    const erased: string[] = [];
    const res = await applyRetention(
      D("2028-04-01"),
      retentionPlan(D("2028-04-01"), courses, policy),
      {
        eraseEvidence: async (id) => {
          erased.push(id);
          return id === "cy"
            ? undefined
            : { subject: `subj-${id.length}${id.charCodeAt(0)}`, notesDeleted: 1 };
        },
        deleteSessionLinksBefore: async () => 7,
      },
      log,
    );
    expect(erased).toEqual(["ada", "bo", "cy"]);
    expect(res).toEqual({ erased: 2, sessionLinksDeleted: 7 });
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).not.toMatch(/"ada"|"bo"|"cy"/);
    expect(lines.join("")).toContain("retention: evidence made anonymous");
  });
});

describe("evidence config", () => {
  it("has defaults and rejects unknown keys", () => {
    expect(defaultEvidenceConfig()).toEqual({
      catalogue: "competence",
      retention: { evidenceMonthsAfterCourseEnd: 12, sessionLinkDays: 30 },
    });
    expect(evidenceConfigSchema.safeParse({ retension: {} }).success).toBe(false);
    expect(
      evidenceConfigSchema.safeParse({ xapi: { endpoint: "not a url", username: "u", password: "p" } })
        .success,
    ).toBe(false);
  });
});

describe("privacy sheet (§ 9-2)", () => {
  const input = {
    site: "raufoss",
    machines: [
      { id: "lathe-1", name: "Mazak QT-200", kind: "lathe" },
      { id: "mill-1", name: "Haas VF-2", kind: "mill" },
    ],
    evidence: evidenceConfigSchema.parse({
      retention: { evidenceMonthsAfterCourseEnd: 9, sessionLinkDays: 14 },
      xapi: { endpoint: "https://lrs.ofii.no/xapi/", username: "u", password: "secret" },
    }),
  };

  it("is generated from the config in Norwegian and English", () => {
    const nb = privacySheet(input, "nb");
    expect(nb).toContain("arbeidsmiljøloven § 9-2");
    expect(nb).toContain("Mazak QT-200 (lathe-1, lathe)");
    expect(nb).toContain("slettes etter 14 dager");
    expect(nb).toContain("kurset er slutt og 9 måneder til");
    expect(nb).toContain("lrs.ofii.no");
    expect(nb).not.toContain("secret");
    const en = privacySheet(input, "en");
    expect(en).toContain("Working Environment Act § 9-2");
    expect(en).toContain("deleted after 14 days");
    expect(en).toContain("not used for disciplinary matters");
  });

  it("does not mention an LRS when none is configured", () => {
    expect(privacySheet({ ...input, evidence: defaultEvidenceConfig() }, "en")).not.toContain("xAPI");
  });
});
