// EvidenceService evaluates incrementally (folds only records after the last
// seen seq); the answer must be exactly what a full `evaluate` of the ledger
// gives, after every append, also when another writer appends in between.
import { describe, expect, it } from "vitest";
import type { RecordBody } from "../../src/evidence/ledger/record.ts";
import { SqliteLedgerStore } from "../../src/evidence/ledger/sqlite-store.ts";
import { EvidenceRecorder } from "../../src/evidence/recorder/recorder.ts";
import { emptyStates, evaluate } from "../../src/evidence/rules/evaluate.ts";
import { EvidenceService } from "../../src/evidence/service.ts";
import { at, catalogue, courseDayEvents, machineKind, resolveSession } from "./course-day.ts";

async function fullEvaluation(store: SqliteLedgerStore, service: EvidenceService, trainee: string) {
  const records = [];
  for await (const r of store.scan()) records.push(r);
  const subject = await service.subjectOf(trainee);
  return (subject && evaluate(records, catalogue).get(subject)) ?? emptyStates(catalogue);
}

describe("incremental evaluation in EvidenceService", () => {
  it("equals a full evaluation after every append of the course day, with a second writer on the same ledger", async () => {
    const store = new SqliteLedgerStore(":memory:");
    const service = new EvidenceService({ store, catalogue });
    // Another gateway (or the API process) writing to the same ledger: its records must be folded in too.
    const other = new EvidenceService({ store, catalogue });
    const recorder = new EvidenceRecorder({ resolveSession, machineKind });
    let n = 0;
    for (const event of courseDayEvents()) {
      const draft = recorder.handle(event);
      if (!draft) continue;
      await (n++ % 3 === 2 ? other : service).record([draft]);
      for (const t of ["ada", "bo"]) {
        expect(await service.marksOf(t)).toEqual(await fullEvaluation(store, service, t));
      }
    }
    expect(n).toBeGreaterThan(10);
    const marks = await service.marksOf("ada");
    expect([...marks.values()].some((s) => s.mark !== "none")).toBe(true);

    // A mark set through the other service shows here; erasure empties the cache.
    const goal = [...marks.values()].find((s) => s.proposedAt !== undefined)!.goal;
    const confirmed = await other.changeMark({
      traineeId: "ada",
      goal,
      to: "F",
      actor: { personId: "ada", role: "trainee", teachesTrainee: false },
      ts: at(14),
    });
    expect(confirmed.ok).toBe(true);
    expect((await service.marksOf("ada")).get(goal)?.mark).toBe("F");
    // marksOf hands out a copy: changing it does not change what the service knows.
    (await service.marksOf("ada")).get(goal)!.mark = "K";
    expect((await service.marksOf("ada")).get(goal)?.mark).toBe("F");
    await other.erase("ada", "request", at(15));
    expect([...(await service.marksOf("ada")).values()].every((s) => s.mark === "none")).toBe(true);
    await store.close();
  });

  it("a ledger that takes the evidence but not the marks after it: record resolves, no cycle twice, marks follow", async () => {
    const store = new SqliteLedgerStore(":memory:");
    // The connection drops between the two appends of one record(): the drafts are in, the
    // automatic marks (author "system") are refused while `refuseMarks` is on.
    let refuseMarks = true;
    let refused = 0;
    const append = store.append.bind(store);
    store.append = async (bodies: readonly RecordBody[]) => {
      if (refuseMarks && bodies.length > 0 && bodies.every((b) => b.author === "system")) {
        refused++;
        throw new Error("Connection terminated unexpectedly");
      }
      return append(bodies);
    };
    const service = new EvidenceService({ store, catalogue });
    const recorder = new EvidenceRecorder({ resolveSession, machineKind });
    const all = [...courseDayEvents()].map((e) => recorder.handle(e)).filter((d) => d !== undefined);
    // Ada's day first, every mark of it refused; then Bo's, with the ledger whole again: Ada's
    // marks can only come from what the service owes her, since she records nothing more.
    const adas = all.filter((d) => d.traineeId === "ada");
    const drafts = [...adas, ...all.filter((d) => d.traineeId !== "ada")];
    for (const [i, draft] of drafts.entries()) {
      if (i === adas.length) refuseMarks = false;
      // Resolves: the draft is in the ledger, so a caller must not record it again.
      await service.record([draft]);
    }
    expect(refused).toBeGreaterThan(0);
    const records = [];
    for await (const r of store.scan()) records.push(r);
    // Every draft once: the machine evidence is what was recorded, nothing twice.
    expect(records.filter((r) => r.author !== "system")).toHaveLength(drafts.length);
    // The marks owed while they were refused were written later: the service and a full evaluation agree.
    for (const t of ["ada", "bo"]) {
      expect(await service.marksOf(t)).toEqual(await fullEvaluation(store, service, t));
    }
    // And they are the marks a ledger that never refused holds (order aside: owed ones come late).
    const reference = new SqliteLedgerStore(":memory:");
    const plain = new EvidenceService({ store: reference, catalogue });
    for (const draft of drafts) await plain.record([draft]);
    const marks = async (ledger: SqliteLedgerStore) => {
      const out = [];
      for await (const r of ledger.scan()) {
        if (r.author === "system") out.push(`${r.type} ${r.goals.join(",")} ${r.ts} ${r.payloadJson}`);
      }
      return out.sort();
    };
    expect((await marks(store)).length).toBeGreaterThan(0);
    expect(await marks(store)).toEqual(await marks(reference));
    await reference.close();
    await store.close();
  });
});
