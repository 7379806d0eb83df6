import { beforeEach, describe, expect, it } from "vitest";
import { payloadOf } from "../../src/evidence/ledger/record.ts";
import { evaluate } from "../../src/evidence/rules/evaluate.ts";
import type { EvidenceService } from "../../src/evidence/service.ts";
import { verifyChain } from "../../src/evidence/verify/verify.ts";
import { at, catalogue, runCourseDay } from "./course-day.ts";

const instructor = (teaches = true) => ({
  personId: "ingrid",
  role: "instructor" as const,
  teachesTrainee: teaches,
});
const trainee = (id: string) => ({ personId: id, role: "trainee" as const, teachesTrainee: false });

const runDay = runCourseDay;

const marks = async (service: EvidenceService, id: string) =>
  Object.fromEntries(
    [...(await service.marksOf(id))].map(([goal, st]) => [
      goal,
      st.mark + (st.proposedAt && st.mark === "P" ? "→F?" : ""),
    ]),
  );

describe("rules over a scripted course day", () => {
  let day: Awaited<ReturnType<typeof runDay>>;
  beforeEach(async () => {
    day = await runDay();
  });

  it("gives the expected P and proposed F per goal", async () => {
    expect(await marks(day.service, "ada")).toEqual({
      "kv708-1": "P",
      "kv708-2": "P",
      "kv708-3": "none",
      "kv708-4": "P",
      "safe-start-stop": "P",
      "send-dnc": "P→F?",
      "run-lathe": "P→F?",
      "run-mill": "none",
      "handle-alarm": "P→F?",
      "machine-time": "P",
      "measure-part": "none",
      "plan-series": "none",
    });
    // Bo ran cycles of a program he did not send, his transfer failed, his alarm took 8 minutes.
    expect(await marks(day.service, "bo")).toEqual({
      "kv708-1": "P",
      "kv708-2": "none",
      "kv708-3": "none",
      "kv708-4": "P",
      "safe-start-stop": "P",
      "send-dnc": "none",
      "run-lathe": "none",
      "run-mill": "none",
      "handle-alarm": "none",
      "machine-time": "P",
      "measure-part": "none",
      "plan-series": "none",
    });
  });

  it("shows rule progress and the evidence behind a goal", async () => {
    const st = (await day.service.marksOf("ada")).get("machine-time")!;
    expect(st.progress.map((p) => [p.have, p.need, p.met])).toEqual([
      [6.5, 6, true],
      [0, 6, false],
    ]);
    const run = (await day.service.marksOf("ada")).get("run-lathe")!;
    expect(run.evidence).toHaveLength(5);
    expect(run.begunAt).toBe(at(8, 14));
    expect(run.proposedAt).toBe(at(8, 54));
  });

  it("writes every automatic mark once as a status record by the system, dated by the evidence", async () => {
    const records = await day.service.recordsOf("ada");
    const status = records
      .filter((r) => r.type === "status.changed")
      .map((r) => ({ ...payloadOf(r), ts: r.ts, author: r.author }) as Record<string, unknown>);
    expect(status.filter((s) => s.goal === "run-lathe")).toEqual([
      { goal: "run-lathe", to: "P", role: "system", ts: at(8, 14), author: "system" },
      { goal: "run-lathe", to: "F-proposed", role: "system", ts: at(8, 54), author: "system" },
    ]);
    // Recording more evidence does not repeat them.
    const before = status.length;
    await day.service.record([
      {
        type: "cycle.completed",
        traineeId: "ada",
        machine: "lathe-1",
        sessionId: "S1",
        ts: at(13),
        payload: { machineKind: "lathe", programSentByTrainee: true },
      },
    ]);
    const after = (await day.service.recordsOf("ada")).filter((r) => r.type === "status.changed").length;
    expect(after).toBe(before);
  });

  it("F: the trainee confirms a proposal; unmet, someone else's or instructor-assessed goals are refused", async () => {
    const s = day.service;
    expect(
      await s.changeMark({ traineeId: "bo", goal: "run-mill", to: "F", actor: trainee("bo"), ts: at(14) }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining("not met"),
    });
    expect(
      await s.changeMark({ traineeId: "ada", goal: "run-lathe", to: "F", actor: trainee("bo"), ts: at(14) }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining("own"),
    });
    expect(
      await s.changeMark({
        traineeId: "ada",
        goal: "measure-part",
        to: "F",
        actor: trainee("ada"),
        ts: at(14),
      }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining("instructor-assessed"),
    });
    const ok = await s.changeMark({
      traineeId: "ada",
      goal: "run-lathe",
      to: "F",
      actor: trainee("ada"),
      ts: at(14),
    });
    expect(ok.ok).toBe(true);
    expect(ok.record?.author).toBe(await s.subjectOf("ada"));
    expect((await s.marksOf("ada")).get("run-lathe")).toMatchObject({ mark: "F", finishedAt: at(14) });
    expect(
      await s.changeMark({
        traineeId: "ada",
        goal: "run-lathe",
        to: "F",
        actor: instructor(),
        ts: at(14, 1),
      }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining("already F"),
    });
  });

  it("K: only an instructor of the trainee's course, only after F, always with a comment", async () => {
    const s = day.service;
    const sign = (actor: ReturnType<typeof instructor>, comment?: string) =>
      s.changeMark({ traineeId: "ada", goal: "handle-alarm", to: "K", actor, comment, ts: at(15) });
    expect(await sign(instructor())).toMatchObject({
      ok: false,
      reason: expect.stringContaining("must be F"),
    });
    await s.changeMark({
      traineeId: "ada",
      goal: "handle-alarm",
      to: "F",
      actor: instructor(),
      ts: at(14, 30),
    });
    expect(
      await s.changeMark({
        traineeId: "ada",
        goal: "handle-alarm",
        to: "K",
        actor: trainee("ada"),
        comment: "x",
        ts: at(15),
      }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining("only an instructor"),
    });
    expect(await sign(instructor(false), "fint")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("course"),
    });
    expect(await sign(instructor(), "  ")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("comment"),
    });
    const ok = await sign(instructor(), "Fant årsaken selv og kvitterte riktig.");
    expect(ok.ok).toBe(true);
    const st = (await s.marksOf("ada")).get("handle-alarm")!;
    expect(st).toMatchObject({ mark: "K", signedAt: at(15), signedBy: await s.subjectOf("ingrid") });
    expect(await s.noteText(st.signedCommentRef!)).toBe("Fant årsaken selv og kvitterte riktig.");
    // The comment itself is not in the chain.
    for await (const r of day.store.scan()) expect(r.payloadJson).not.toContain("Fant årsaken");
    expect(
      await s.changeMark({
        traineeId: "ada",
        goal: "handle-alarm",
        to: "F",
        actor: { personId: "x", role: "admin", teachesTrainee: true },
        ts: at(16),
      }),
    ).toMatchObject({ ok: false });
  });

  it("an instructor sets F on an instructor-assessed goal without any evidence (P follows)", async () => {
    const res = await day.service.changeMark({
      traineeId: "bo",
      goal: "plan-series",
      to: "F",
      actor: instructor(),
      ts: at(15),
    });
    expect(res.ok).toBe(true);
    expect((await day.service.marksOf("bo")).get("plan-series")).toMatchObject({
      mark: "F",
      begunAt: at(15),
    });
  });

  it("erasing a trainee keeps the chain verifiable, removes their notes and links, and keeps anonymous counts", async () => {
    const s = day.service;
    await s.addNote({
      traineeId: "ada",
      authorId: "ingrid",
      ts: at(12),
      text: "Ada trenger mer øving på nullpunkt",
      machine: "lathe-1",
    });
    const adaSubject = (await s.subjectOf("ada"))!;
    const countBefore = (await s.recordsOf("ada")).length;
    const ref = payloadOf((await s.recordsOf("ada")).find((r) => r.type === "note")!).noteRef as string;
    expect(await s.noteText(ref)).toContain("nullpunkt");

    const access = await s.exportOf("ada");
    expect(access.subject).toBe(adaSubject);
    expect(access.records).toHaveLength(countBefore);
    expect(access.notes.map((n) => n.text)).toEqual(["Ada trenger mer øving på nullpunkt"]);

    expect(await s.erase("ada", "request", at(20))).toEqual({ subject: adaSubject, notesDeleted: 1 });
    expect(await s.exportOf("ada")).toEqual({ subject: undefined, records: [], notes: [] });
    expect(await verifyChain(day.store.scan(), await day.store.head())).toMatchObject({ ok: true });
    expect(await s.recordsOf("ada")).toEqual([]);
    expect(await s.noteText(ref)).toBeUndefined();
    expect(await s.personOfSubject(adaSubject)).toBeUndefined();
    // Her records are still there under a subject nobody can link: cycles can still be counted.
    const all = [];
    for await (const r of day.store.scan()) all.push(r);
    expect(all.filter((r) => r.subject === adaSubject)).toHaveLength(countBefore + 1);
    expect(all.filter((r) => r.type === "cycle.completed").length).toBe(10);
    expect(all.at(-1)).toMatchObject({ type: "subject.erased", subject: adaSubject });
    // Nor does the evaluation hold a view of an erased subject.
    expect(evaluate(all, catalogue).has(adaSubject)).toBe(false);
    expect(evaluate(all, catalogue).size).toBe(1);
  });
});
