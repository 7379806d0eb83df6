// Property: whatever single change is made to a sealed chain, verify fails,
// and it names a record at or right after the change.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type EvidenceRecord, seal } from "../../src/evidence/ledger/record.ts";
import { verifyChain } from "../../src/evidence/verify/verify.ts";
import { body } from "./ledger-contract.ts";

function chain(n: number): EvidenceRecord[] {
  const out: EvidenceRecord[] = [];
  for (let i = 1; i <= n; i++) {
    const prev = out.at(-1);
    out.push(seal(prev && { seq: prev.seq, hash: prev.hash }, body(i)));
  }
  return out;
}

type Change =
  | { kind: "edit"; at: number; field: "payloadJson" | "ts" | "subject" | "machine" | "goals" | "type" }
  | { kind: "delete"; at: number }
  | { kind: "swap"; at: number }
  | { kind: "duplicate"; at: number };

const changeArb = (n: number): fc.Arbitrary<Change> =>
  fc.oneof(
    fc.record({
      kind: fc.constant("edit" as const),
      at: fc.nat(n - 1),
      field: fc.constantFrom("payloadJson", "ts", "subject", "machine", "goals", "type") as fc.Arbitrary<
        "payloadJson" | "ts" | "subject" | "machine" | "goals" | "type"
      >,
    }),
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(n - 1) }),
    fc.record({ kind: fc.constant("swap" as const), at: fc.nat(n - 2) }),
    fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(n - 1) }),
  );

function apply(records: EvidenceRecord[], c: Change): EvidenceRecord[] {
  const r = records.map((x) => ({ ...x, goals: [...x.goals] }));
  const target = r[c.at]!;
  switch (c.kind) {
    case "edit":
      if (c.field === "payloadJson") target.payloadJson = target.payloadJson.replace("}", ',"x":1}');
      if (c.field === "ts") target.ts += 1;
      if (c.field === "subject") target.subject = `${target.subject}x`;
      if (c.field === "machine") target.machine = "mill-9";
      if (c.field === "goals") target.goals = [...target.goals, "extra"];
      if (c.field === "type") target.type = target.type === "note" ? "cycle.aborted" : "note";
      return r;
    case "delete":
      r.splice(c.at, 1);
      return r;
    case "swap":
      [r[c.at], r[c.at + 1]] = [r[c.at + 1]!, r[c.at]!];
      return r;
    case "duplicate":
      r.splice(c.at + 1, 0, { ...target });
      return r;
  }
}

describe("verifyChain property", () => {
  it("detects any single edit, deletion, swap or duplicated record", async () => {
    const N = 12;
    const original = chain(N);
    const head = { seq: original.at(-1)!.seq, hash: original.at(-1)!.hash };
    expect(await verifyChain(original, head)).toMatchObject({ ok: true, records: N });
    await fc.assert(
      fc.asyncProperty(changeArb(N), async (c) => {
        const res = await verifyChain(apply(original, c), head);
        expect(res.ok).toBe(false);
        if (!res.ok) {
          expect(res.firstBroken.seq).toBeGreaterThanOrEqual(c.at + 1);
          expect(res.firstBroken.seq).toBeLessThanOrEqual(c.at + 2);
        }
      }),
      { numRuns: 300 },
    );
  });
});
