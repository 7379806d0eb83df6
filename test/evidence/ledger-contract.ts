// One contract for every LedgerStore: the SQLite and the PostgreSQL test files
// both call ledgerContract() with a way to open a store on an empty ledger.
import { afterEach, describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/evidence/ledger/canonical.ts";
import { canonicalLine, hashLine, type RecordBody } from "../../src/evidence/ledger/record.ts";
import type { LedgerStore } from "../../src/evidence/ledger/store.ts";
import { verifyChain } from "../../src/evidence/verify/verify.ts";

export type LedgerHarness = {
  store: LedgerStore;
  /** A second store on the same database (another gateway). */
  openAnother(): Promise<LedgerStore>;
  /** Raw SQL written so that both engines accept it (literals, no parameters). */
  exec(sql: string): Promise<void>;
};

export function body(i: number, over: Partial<RecordBody> = {}): RecordBody {
  return {
    type: "cycle.completed",
    subject: `s${i % 3}`,
    machine: "lathe-1",
    session: `sess${i}`,
    ts: 1_800_000_000_000 + i * 1000,
    author: null,
    goals: ["run-auto"],
    payload: { program: `O${1000 + i}`, parts: 1, durationMs: 60_000 + i },
    ...over,
  };
}

async function collect(store: LedgerStore, opts?: Parameters<LedgerStore["scan"]>[0]) {
  const out = [];
  for await (const r of store.scan(opts)) out.push(r);
  return out;
}

async function verify(store: LedgerStore) {
  return verifyChain(store.scan(), await store.head());
}

export function ledgerContract(engine: string, open: () => Promise<LedgerHarness>): void {
  describe(`LedgerStore contract: ${engine}`, () => {
    const opened: LedgerStore[] = [];
    const start = async () => {
      const h = await open();
      opened.push(h.store);
      return h;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it("an empty ledger verifies and has no head", async () => {
      const { store } = await start();
      expect(await store.head()).toBeUndefined();
      expect(await verify(store)).toEqual({ ok: true, records: 0, head: undefined });
    });

    it("appends seal records 1..n, each linking to the one before, and scan returns them as sealed", async () => {
      const { store } = await start();
      const first = await store.append([body(1), body(2)]);
      const more = await store.append([body(3)]);
      const all = await collect(store);
      expect(all).toEqual([...first, ...more]);
      expect(all.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(all[1]!.prevHash).toBe(all[0]!.hash);
      expect(all[2]!.payloadJson).toBe(canonicalJson(body(3).payload));
      expect(await store.head()).toEqual({ seq: 3, hash: all[2]!.hash });
      expect(await verify(store)).toMatchObject({ ok: true, records: 3 });
    });

    it("scan streams in batches, from a seq and for one subject", async () => {
      const { store } = await start();
      await store.append(Array.from({ length: 25 }, (_, i) => body(i + 1)));
      expect((await collect(store, { batchSize: 4 })).map((r) => r.seq)).toEqual(
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      expect((await collect(store, { afterSeq: 20 })).map((r) => r.seq)).toEqual([21, 22, 23, 24, 25]);
      const s1 = await collect(store, { subject: "s1", batchSize: 2 });
      expect(s1.map((r) => r.seq)).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25]);
    });

    it("an edited payload is named as edited", async () => {
      const h = await start();
      await h.store.append(Array.from({ length: 10 }, (_, i) => body(i + 1)));
      await h.exec(`UPDATE evidence_records SET payload = '{"parts":99}' WHERE seq = 4`);
      expect(await verify(h.store)).toMatchObject({ ok: false, firstBroken: { seq: 4, kind: "edited" } });
    });

    it("an edited column other than the payload (the subject) is detected too", async () => {
      const h = await start();
      await h.store.append(Array.from({ length: 5 }, (_, i) => body(i + 1)));
      await h.exec(`UPDATE evidence_records SET subject = 'someone-else' WHERE seq = 2`);
      expect(await verify(h.store)).toMatchObject({ ok: false, firstBroken: { seq: 2, kind: "edited" } });
    });

    it("an edited record whose hash was recomputed breaks the link of the next one", async () => {
      const h = await start();
      const recs = await h.store.append(Array.from({ length: 6 }, (_, i) => body(i + 1)));
      const forged = { ...recs[2]!, payloadJson: '{"parts":5}' };
      const hash = hashLine(canonicalLine(forged));
      await h.exec(`UPDATE evidence_records SET payload = '{"parts":5}', hash = '${hash}' WHERE seq = 3`);
      expect(await verify(h.store)).toMatchObject({ ok: false, firstBroken: { seq: 4, kind: "unlinked" } });
    });

    it("a deleted record is named by the gap it leaves", async () => {
      const h = await start();
      await h.store.append(Array.from({ length: 8 }, (_, i) => body(i + 1)));
      await h.exec("DELETE FROM evidence_records WHERE seq = 5");
      const res = await verify(h.store);
      expect(res).toMatchObject({ ok: false, firstBroken: { seq: 6, kind: "missing" } });
      if (!res.ok) expect(res.firstBroken.message).toContain("record 5 is missing");
    });

    it("records cut off at the end are caught by the head row", async () => {
      const h = await start();
      await h.store.append(Array.from({ length: 8 }, (_, i) => body(i + 1)));
      await h.exec("DELETE FROM evidence_records WHERE seq >= 7");
      expect(await verify(h.store)).toMatchObject({ ok: false, firstBroken: { seq: 7, kind: "cut-off" } });
    });

    it("an inserted record (later ones renumbered) breaks the link after it", async () => {
      const h = await start();
      const recs = await h.store.append(Array.from({ length: 6 }, (_, i) => body(i + 1)));
      await h.exec("UPDATE evidence_records SET seq = seq + 100 WHERE seq >= 4");
      await h.exec("UPDATE evidence_records SET seq = seq - 99 WHERE seq >= 104");
      // A well-formed forgery chained onto record 3, sitting where record 4 was.
      const forged = {
        ...recs[3]!,
        seq: 4,
        prevHash: recs[2]!.hash,
        payloadJson: '{"parts":50}',
      };
      const hash = hashLine(canonicalLine(forged));
      await h.exec(
        `INSERT INTO evidence_records (seq, type, subject, machine, session, ts, author, goals, payload, prev_hash, hash) VALUES (4, 'cycle.completed', 's1', 'lathe-1', 'sess4', ${forged.ts}, NULL, '["run-auto"]', '{"parts":50}', '${forged.prevHash}', '${hash}')`,
      );
      // The old record 4 now carries seq 5, which its hash does not cover.
      expect(await verify(h.store)).toMatchObject({ ok: false, firstBroken: { seq: 5, kind: "edited" } });
    });

    it("two records swapped in order are detected", async () => {
      const h = await start();
      await h.store.append(Array.from({ length: 6 }, (_, i) => body(i + 1)));
      await h.exec("UPDATE evidence_records SET seq = 1000 WHERE seq = 2");
      await h.exec("UPDATE evidence_records SET seq = 2 WHERE seq = 3");
      await h.exec("UPDATE evidence_records SET seq = 3 WHERE seq = 1000");
      expect(await verify(h.store)).toMatchObject({ ok: false, firstBroken: { seq: 2, kind: "edited" } });
    });

    it("appends from two stores at once build one linear chain", async () => {
      const h = await start();
      const other = await h.openAnother();
      opened.push(other);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? h.store : other).append([body(i * 2 + 1), body(i * 2 + 2)]),
        ),
      );
      const res = await verify(h.store);
      expect(res).toMatchObject({ ok: true, records: 40 });
      expect(await other.head()).toEqual(await h.store.head());
    });

    it("person keys are created once, resolve back to the person, and forgetting removes key and notes", async () => {
      const { store } = await start();
      expect(await store.personKey("t-1", false)).toBeUndefined();
      const k = await store.personKey("t-1", true);
      expect(k?.subject).toMatch(/^[0-9a-f]{32}$/);
      expect(await store.personKey("t-1", true)).toEqual(k);
      expect(await store.personOfSubject(k!.subject)).toBe("t-1");
      await store.putNote({ ref: "r1", subject: k!.subject, text: "Målte delen selv", ts: 5 });
      expect(await store.note("r1")).toEqual({
        ref: "r1",
        subject: k!.subject,
        text: "Målte delen selv",
        ts: 5,
      });
      expect(await store.forgetPerson("t-1")).toEqual({ subject: k!.subject, notesDeleted: 1 });
      expect(await store.note("r1")).toBeUndefined();
      expect(await store.personOfSubject(k!.subject)).toBeUndefined();
      expect(await store.forgetPerson("t-1")).toBeUndefined();
      // A new key after erasure is a new, unrelated subject.
      expect((await store.personKey("t-1", true))?.subject).not.toBe(k!.subject);
    });
  });
}
