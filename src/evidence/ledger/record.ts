import { hash } from "node:crypto";
import { canonicalJson, type Json, type JsonObject } from "./canonical.ts";

/**
 * What the ledger records. Machine evidence comes from the pipeline's events
 * (recorder/), notes and status changes from people, `subject.erased` and
 * `retention.applied` from the privacy side (the chain logs its own erasures).
 */
export const EVIDENCE_TYPES = [
  "cycle.completed",
  "cycle.aborted",
  "program.transfer",
  "alarm.handled",
  "session.ended",
  "note",
  "status.changed",
  "subject.erased",
] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

/** The part of a record its author decides; the chain adds seq, prevHash and hash. */
export type RecordBody = {
  type: EvidenceType;
  /** Keyed per-person pseudonym of the trainee (privacy/subjects.ts), null for site-level records. */
  subject: string | null;
  machine: string | null;
  /** Keyed reference to the check-in session, unlinkable once the trainee's key is gone. */
  session: string | null;
  /** UTC milliseconds of what happened (not of the append). */
  ts: number;
  /** Keyed pseudonym of the person who made a status change or wrote a note; "system" for automatic ones. */
  author: string | null;
  /** Goal ids the record bears on (catalogue ids). */
  goals: readonly string[];
  /** Free of personal data by construction (see docs/privacy.md). */
  payload: JsonObject;
};

/**
 * A sealed record. `payloadJson` is the exact canonical text the hash covers:
 * verification hashes it as stored instead of re-serialising, which keeps a
 * million-record verify fast and makes any byte changed in storage visible.
 */
export type EvidenceRecord = Omit<RecordBody, "payload"> & {
  seq: number;
  payloadJson: string;
  prevHash: string;
  hash: string;
};

export type ChainHead = { seq: number; hash: string };

export const GENESIS_HASH = "0".repeat(64);
/** Bumped only with a migration: old records keep verifying under the version they were sealed with. */
const FORM_VERSION = 1;

/** The canonical line a record's hash covers; a JSON array, so no field can bleed into another. */
export function canonicalLine(r: Omit<EvidenceRecord, "hash">): string {
  return JSON.stringify([
    FORM_VERSION,
    r.seq,
    r.type,
    r.subject,
    r.machine,
    r.session,
    r.ts,
    r.author,
    r.goals,
    r.payloadJson,
    r.prevHash,
  ]);
}

export function hashLine(line: string): string {
  // One-shot crypto.hash: half the cost of createHash().update().digest() per record.
  return hash("sha256", line, "hex");
}

/** Chain `body` onto `head` (undefined for the first record). Pure: the store supplies the head under its lock. */
export function seal(head: ChainHead | undefined, body: RecordBody): EvidenceRecord {
  if (!Number.isSafeInteger(body.ts)) throw new TypeError(`evidence ts must be integer ms, got ${body.ts}`);
  const unsigned = {
    seq: head ? head.seq + 1 : 1,
    type: body.type,
    subject: body.subject,
    machine: body.machine,
    session: body.session,
    ts: body.ts,
    author: body.author,
    goals: [...body.goals],
    payloadJson: canonicalJson(body.payload),
    prevHash: head ? head.hash : GENESIS_HASH,
  };
  return { ...unsigned, hash: hashLine(canonicalLine(unsigned)) };
}

/** The payload as an object (records keep the text the hash covers). */
export function payloadOf(r: Pick<EvidenceRecord, "payloadJson">): Record<string, Json> {
  return JSON.parse(r.payloadJson) as Record<string, Json>;
}
