import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/load.ts";
import {
  CatalogueError,
  catalogueFromTexts,
  loadCatalogueFolder,
  parseCatalogueText,
} from "../../src/evidence/catalogue/load.ts";

const curriculum = `catalogue:
  id: cur
  kind: curriculum
  title: { nb: Læreplan, en: Curriculum }
goals:
  - id: c-1
    title: { nb: Mål en, en: Goal one }
    assessment: instructor
`;

function problemsOf(files: { file: string; text: string }[]) {
  try {
    catalogueFromTexts(files);
  } catch (err) {
    if (err instanceof CatalogueError)
      return err.errors.flatMap((e) => e.problems.map((p) => ({ file: e.file, ...p })));
    throw err;
  }
  throw new Error("expected the catalogue to be rejected");
}

describe("competence catalogue", () => {
  it("loads both shipped catalogues: PRT03-02 and the four-week course, every course goal serving a curriculum goal", () => {
    const cat = loadCatalogueFolder(new URL("../../config/competence", import.meta.url).pathname);
    expect(cat.files.map((f) => f.meta.id)).toEqual(["lf-cnc-4w", "prt03-02"]);
    const curriculumGoals = [...cat.goals.values()].filter((g) => g.catalogue === "prt03-02");
    expect(curriculumGoals.map((g) => g.id)).toEqual(["kv708-1", "kv708-2", "kv708-3", "kv708-4"]);
    expect(curriculumGoals.every((g) => g.assessment === "instructor")).toBe(true);
    const course = [...cat.goals.values()].filter((g) => g.catalogue === "lf-cnc-4w");
    expect(course.length).toBeGreaterThanOrEqual(6);
    for (const g of course) {
      expect(g.serves.length, g.id).toBeGreaterThan(0);
      expect(g.title.nb).not.toBe(g.title.en);
    }
    expect(cat.goals.get("run-lathe")?.rules).toEqual([
      { count: 5, of: "cycle.completed", where: { machineKind: "lathe", programSentByTrainee: true } },
    ]);
    expect(cat.goals.get("handle-alarm")?.rules).toEqual([
      { alarmClearedWithinMinutes: 5, whileCheckedIn: true, count: 1 },
    ]);
  });

  it("names the line and suggests the key for a typo", () => {
    const text = curriculum.replace("assessment: instructor", "assesment: instructor");
    expect(problemsOf([{ file: "cur.yaml", text }])).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: "cur.yaml",
          path: "goals[0].assesment",
          line: 8,
          message: expect.stringContaining('did you mean "assessment"'),
        }),
      ]),
    );
  });

  it("explains a bad rule by its branch, with the line", () => {
    const text = `${curriculum.replace("kind: curriculum", "kind: course").replace("id: cur", "id: course")}    rules:
      - { count: 0, of: cycle.completed }
      - { count: 2, of: cycle.done }
      - { hours: 3, where: { machineKind: lath } }
`;
    const problems = problemsOf([{ file: "c.yaml", text }]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: "goals[0].rules[0].count",
          line: 10,
          message: expect.stringContaining("at least 1"),
        }),
        expect.objectContaining({ path: "goals[0].rules[1].of", line: 11 }),
        expect.objectContaining({
          path: "goals[0].rules[2].where.machineKind",
          line: 12,
          message: expect.stringContaining('did you mean "lathe"'),
        }),
      ]),
    );
  });

  it("a machine-assessed goal without rules is rejected with the fix", () => {
    const text = curriculum.replace("assessment: instructor", "assessment: machine");
    expect(problemsOf([{ file: "cur.yaml", text }])).toEqual([
      expect.objectContaining({
        path: "goals[0].rules",
        line: 6,
        message: expect.stringContaining("set assessment: instructor"),
      }),
    ]);
  });

  it("serves must name curriculum goals that exist; goal ids are unique across files", () => {
    const course = `catalogue:
  id: course
  kind: course
  title: { nb: Kurs, en: Course }
goals:
  - id: k-1
    title: { nb: Kursmål, en: Course goal }
    assessment: instructor
    serves: [c-1, c-9, k-1]
  - id: c-1
    title: { nb: Dobbel, en: Double }
    assessment: instructor
`;
    const problems = problemsOf([
      { file: "cur.yaml", text: curriculum },
      { file: "course.yaml", text: course },
    ]);
    expect(problems).toEqual([
      expect.objectContaining({
        file: "course.yaml",
        path: "goals[1].id",
        line: 10,
        message: expect.stringContaining("also used in cur.yaml"),
      }),
      expect.objectContaining({
        file: "course.yaml",
        path: "goals[0].serves[1]",
        line: 9,
        message: expect.stringContaining('"c-9" is not a goal'),
      }),
      expect.objectContaining({
        file: "course.yaml",
        path: "goals[0].serves[2]",
        message: expect.stringContaining("is a course goal"),
      }),
    ]);
  });

  it("YAML syntax errors and missing folders are reported, not thrown raw", () => {
    expect(problemsOf([{ file: "x.yaml", text: "catalogue: [\n" }])[0]).toMatchObject({
      file: "x.yaml",
      path: "(yaml)",
    });
    expect(() => loadCatalogueFolder("/nonexistent/competence")).toThrow(/folder not found/);
  });
});

describe("catalogue files: YAML aliases", () => {
  // The school edits these files like the site config, and gets the same errors for aliases.
  it("an alias without its anchor, and an alias bomb, are ConfigErrors with a line", () => {
    expect(() => parseCatalogueText("goals: *a\n", "school.yaml")).toThrow(ConfigError);
    const err = (() => {
      try {
        parseCatalogueText("catalogue: x\ngoals: *a\n", "school.yaml");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems[0]?.line).toBe(2);
    const bomb = ["a: &a [x,x,x,x,x,x,x,x,x,x]"];
    for (const [name, prev] of [
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
      ["e", "d"],
    ] as const) {
      bomb.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(",")}]`);
    }
    expect(() => parseCatalogueText(`${bomb.join("\n")}\n`, "school.yaml")).toThrow(ConfigError);
  });
});
