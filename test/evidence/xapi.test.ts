import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvidenceRecord } from "../../src/evidence/ledger/record.ts";
import { exportStatements, JsonArrayFileSink } from "../../src/evidence/xapi/export.ts";
import { statementFromRecord } from "../../src/evidence/xapi/from-record.ts";
import type { Statement } from "../../src/evidence/xapi/statement.ts";
import { isoDuration, uuidFromHash } from "../../src/evidence/xapi/uuid.ts";
import { validateStatement } from "../../src/evidence/xapi/validate.ts";
import { at, catalogue, runCourseDay } from "./course-day.ts";

const HOME = "https://raufoss.maskinport.invalid/";
const dir = mkdtempSync(join(tmpdir(), "mp-xapi-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const valid: Statement = {
  id: "3a5e2c1b-9f0d-8a4b-b6c7-d8e9f0a1b2c3",
  actor: { objectType: "Agent", account: { homePage: HOME, name: "abc" } },
  verb: { id: "http://adlnet.gov/expapi/verbs/completed", display: { "en-US": "completed" } },
  object: {
    objectType: "Activity",
    id: `${HOME}programs/1234`,
    definition: { type: "https://maskinport.no/xapi/activities/nc-program" },
  },
  result: { completion: true, duration: "PT4M" },
  context: { platform: "Maskinport", registration: "3a5e2c1b-9f0d-4a4b-b6c7-d8e9f0a1b2c3" },
  timestamp: "2027-01-11T08:14:00.000Z",
};
const mutate = (f: (s: Record<string, unknown>) => void) => {
  const s = structuredClone(valid) as unknown as Record<string, unknown>;
  f(s);
  return validateStatement(s).map((p) => p.path);
};

describe("xAPI validator", () => {
  it("accepts a well-formed statement", () => {
    expect(validateStatement(valid)).toEqual([]);
  });

  it.each<[string, (s: Record<string, unknown>) => void, string]>([
    ["missing actor", (s) => delete s.actor, "statement.actor"],
    ["missing verb", (s) => delete s.verb, "statement.verb"],
    ["missing object", (s) => delete s.object, "statement.object"],
    ["id not a UUID", (s) => (s.id = "123"), "statement.id"],
    ["agent without identifier", (s) => (s.actor = { objectType: "Agent", name: "x" }), "statement.actor"],
    [
      "agent with two identifiers",
      (s) => (s.actor = { mbox: "mailto:a@b.no", account: { homePage: HOME, name: "x" } }),
      "statement.actor",
    ],
    [
      "account without homePage",
      (s) => (s.actor = { account: { name: "x" } }),
      "statement.actor.account.homePage",
    ],
    [
      "account with empty name",
      (s) => (s.actor = { account: { homePage: HOME, name: "" } }),
      "statement.actor.account.name",
    ],
    ["mbox without mailto", (s) => (s.actor = { mbox: "a@b.no" }), "statement.actor.mbox"],
    ["verb id not an IRI", (s) => (s.verb = { id: "completed" }), "statement.verb.id"],
    [
      "bad language tag",
      (s) => (s.verb = { id: "http://x.no/v", display: { "english!": "x" } }),
      "statement.verb.display.english!",
    ],
    ["activity id missing", (s) => (s.object = { objectType: "Activity" }), "statement.object.id"],
    ["bad duration", (s) => (s.result = { duration: "4 minutes" }), "statement.result.duration"],
    [
      "scaled score out of range",
      (s) => (s.result = { score: { scaled: 2 } }),
      "statement.result.score.scaled",
    ],
    ["success not boolean", (s) => (s.result = { success: "yes" }), "statement.result.success"],
    ["timestamp without zone", (s) => (s.timestamp = "2027-01-11T08:14:00"), "statement.timestamp"],
    ["registration not UUID", (s) => (s.context = { registration: "r1" }), "statement.context.registration"],
    [
      "unknown context activity key",
      (s) => (s.context = { contextActivities: { parents: [] } }),
      "statement.context.contextActivities.parents",
    ],
    [
      "extension key not an IRI",
      (s) => (s.result = { extensions: { parts: 1 } }),
      "statement.result.extensions.parts",
    ],
    ["unknown top-level property", (s) => (s.foo = 1), "statement.foo"],
    [
      "platform with a non-Activity object",
      (s) => (s.object = { objectType: "Agent", account: { homePage: HOME, name: "y" } }),
      "statement.context.platform",
    ],
    ["bad version", (s) => (s.version = "3.0"), "statement.version"],
  ])("rejects %s", (_name, f, path) => {
    expect(mutate(f)).toContain(path);
  });

  it("rejects a non-object", () => {
    expect(validateStatement("x")).toEqual([{ path: "statement", message: "must be a JSON object" }]);
  });
});

describe("xAPI statements from the course day", () => {
  let records: EvidenceRecord[];
  let statements: Statement[];
  let subjects: { ada: string; ingrid: string };

  beforeAll(async () => {
    const day = await runCourseDay();
    const s = day.service;
    const instr = { personId: "ingrid", role: "instructor" as const, teachesTrainee: true };
    await s.changeMark({ traineeId: "ada", goal: "send-dnc", to: "F", actor: instr, ts: at(14) });
    await s.changeMark({
      traineeId: "ada",
      goal: "send-dnc",
      to: "K",
      actor: instr,
      comment: "Riktig fil",
      ts: at(15),
    });
    await s.addNote({ traineeId: "ada", authorId: "ingrid", ts: at(15), text: "God dag" });
    records = [];
    for await (const r of day.store.scan()) records.push(r);
    statements = records.flatMap((r) => statementFromRecord(r, { homePage: HOME, catalogue }) ?? []);
    subjects = { ada: (await s.subjectOf("ada"))!, ingrid: (await s.subjectOf("ingrid"))! };
  });

  it("every statement is valid xAPI 2.0", () => {
    expect(statements.length).toBeGreaterThan(20);
    for (const st of statements) expect(validateStatement(st), JSON.stringify(st)).toEqual([]);
  });

  it("actors are pseudonymous accounts, never mbox or a name", () => {
    for (const st of statements) {
      expect(st.actor.account.homePage).toBe(HOME);
      expect(JSON.stringify(st)).not.toMatch(/mbox|"ada"|"bo"|ingrid/i);
    }
    expect(new Set(statements.map((s) => s.actor.account.name))).toContain(subjects.ada);
  });

  it("ids are UUIDs derived from record hashes: unique and the same on every export", () => {
    const ids = statements.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const again = records.flatMap((r) => statementFromRecord(r, { homePage: HOME, catalogue }) ?? []);
    expect(again.map((s) => s.id)).toEqual(ids);
    expect(uuidFromHash("f".repeat(64))).toBe("ffffffff-ffff-8fff-bfff-ffffffffffff");
  });

  it("uses ADL verbs where they fit, Maskinport's for transfers and alarms, goals as objective context activities", () => {
    const verbs = new Set(statements.map((s) => s.verb.id));
    expect(verbs).toEqual(
      new Set([
        "http://adlnet.gov/expapi/verbs/completed",
        "http://adlnet.gov/expapi/verbs/terminated",
        "http://adlnet.gov/expapi/verbs/attempted",
        "http://adlnet.gov/expapi/verbs/interacted",
        "http://adlnet.gov/expapi/verbs/passed",
        "https://maskinport.no/xapi/verbs/transferred-program",
        "https://maskinport.no/xapi/verbs/handled-alarm",
      ]),
    );
    const cycle = statements.find(
      (s) => s.verb.id.endsWith("/completed") && s.object.definition?.type?.endsWith("nc-program"),
    )!;
    expect(cycle.context?.contextActivities?.other?.map((a) => a.definition?.type)).toContain(
      "http://adlnet.gov/expapi/activities/objective",
    );
    expect(cycle.result?.duration).toBe("PT4M");
    const signed = statements.find((s) => s.verb.id.endsWith("/passed"))!;
    expect(signed.object.id).toBe(`${HOME}goals/send-dnc`);
    expect(signed.context?.instructor?.account.name).toBe(subjects.ingrid);
    expect(signed.context?.contextActivities?.grouping?.map((a) => a.id)).toEqual([
      `${HOME}goals/kv708-1`,
      `${HOME}goals/kv708-4`,
    ]);
  });

  it("an erased subject (no pseudonym) is not exported", () => {
    const none = records.flatMap(
      (r) => statementFromRecord(r, { homePage: HOME, catalogue, actorName: () => undefined }) ?? [],
    );
    expect(none).toEqual([]);
  });

  it("exports to a JSON array file that parses back into the same statements", async () => {
    const file = join(dir, "day.json");
    const sink = new JsonArrayFileSink(file);
    const res = await exportStatements(records, { homePage: HOME, catalogue }, sink, 7);
    await sink.close();
    expect(res).toEqual({ records: records.length, statements: statements.length });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(statements);
    const empty = join(dir, "empty.json");
    const s2 = new JsonArrayFileSink(empty);
    await exportStatements([], { homePage: HOME, catalogue }, s2);
    await s2.close();
    expect(JSON.parse(readFileSync(empty, "utf8"))).toEqual([]);
  });

  it("isoDuration keeps 0.01 s", () => {
    expect(isoDuration(0)).toBe("PT0S");
    expect(isoDuration(3_723_450)).toBe("PT1H2M3.45S");
    expect(isoDuration(3_600_000)).toBe("PT1H");
  });
});
