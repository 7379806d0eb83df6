// EvidenceService evaluates incrementally (folds only records after the last
// seen seq); the answer must be exactly what a full `evaluate` of the ledger
// gives, after every append, also when another writer appends in between.
import { describe, expect, it } from "vitest";
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
});
