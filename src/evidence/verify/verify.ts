import {
  type ChainHead,
  canonicalLine,
  type EvidenceRecord,
  GENESIS_HASH,
  hashLine,
} from "../ledger/record.ts";

export type ChainProblemKind =
  | "edited"
  | "missing"
  | "out-of-order"
  | "unlinked"
  | "cut-off"
  | "head-mismatch";

/** The first place where the chain is not what was sealed; `seq` names the record to look at. */
export type ChainProblem = { seq: number; kind: ChainProblemKind; message: string };

export type VerifyResult =
  | { ok: true; records: number; head: ChainHead | undefined }
  | { ok: false; records: number; firstBroken: ChainProblem };

/**
 * Recompute the chain record by record, in one pass, holding only the
 * previous record: any edit, deletion, insertion or reordering changes a hash
 * or breaks a link. `expectedHead` is the store's head row, which catches a
 * tail cut off after the last record (the chain alone cannot tell).
 */
export async function verifyChain(
  records: AsyncIterable<EvidenceRecord> | Iterable<EvidenceRecord>,
  expectedHead: ChainHead | undefined,
): Promise<VerifyResult> {
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  let count = 0;
  const broken = (seq: number, kind: ChainProblemKind, message: string): VerifyResult => ({
    ok: false,
    records: count,
    firstBroken: { seq, kind, message },
  });
  for await (const r of records) {
    count++;
    const expectedSeq = prevSeq + 1;
    if (r.seq > expectedSeq) {
      const gap =
        r.seq - 1 === expectedSeq ? `record ${expectedSeq} is` : `records ${expectedSeq}–${r.seq - 1} are`;
      return broken(r.seq, "missing", `${gap} missing before record ${r.seq} (deleted)`);
    }
    if (r.seq < expectedSeq) {
      return broken(
        r.seq,
        "out-of-order",
        `record ${r.seq} comes after record ${prevSeq} (reordered or duplicated)`,
      );
    }
    if (hashLine(canonicalLine(r)) !== r.hash) {
      return broken(r.seq, "edited", `record ${r.seq} does not match its hash (its content was changed)`);
    }
    if (r.prevHash !== prevHash) {
      return broken(
        r.seq,
        "unlinked",
        `record ${r.seq} does not link to record ${prevSeq} (a record was inserted, replaced or re-sealed)`,
      );
    }
    prevSeq = r.seq;
    prevHash = r.hash;
  }
  const last = count === 0 ? undefined : { seq: prevSeq, hash: prevHash };
  if (expectedHead && (!last || expectedHead.seq > last.seq)) {
    const from = (last?.seq ?? 0) + 1;
    return broken(from, "cut-off", `records ${from}–${expectedHead.seq} are missing at the end (cut off)`);
  }
  if (expectedHead && last && (expectedHead.seq !== last.seq || expectedHead.hash !== last.hash)) {
    return broken(
      last.seq,
      "head-mismatch",
      `the head row says record ${expectedHead.seq} ends the chain, but the records end at ${last.seq} with another hash`,
    );
  }
  if (!expectedHead && last) {
    return broken(last.seq, "head-mismatch", "records exist but the head row is missing");
  }
  return { ok: true, records: count, head: last };
}
