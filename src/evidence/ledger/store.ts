import type { ChainHead, EvidenceRecord, RecordBody } from "./record.ts";

/** A person's erasable key: `subject` is what the chain holds, `key` makes it (and session refs) linkable. */
export type PersonKey = { personId: string; subject: string; key: Buffer };

/** Free text kept outside the chain and referenced from it by `ref` (a keyed hash of the text). */
export type StoredNote = { ref: string; subject: string; text: string; ts: number };

export type ScanOptions = {
  /** Only records with seq > afterSeq. */
  afterSeq?: number;
  /** Only one subject's records (for reports and evaluation of one trainee). */
  subject?: string;
  /** Rows fetched per round trip; memory stays at one batch however long the chain is. */
  batchSize?: number;
};

/**
 * Where the ledger lives: node:sqlite on one gateway, PostgreSQL for a site
 * with several. Both pass test/evidence/ledger-contract.ts. The store owns
 * serialisation: `append` reads the head, seals and inserts under one write
 * lock, so two gateways appending at once still build one linear chain.
 */
export interface LedgerStore {
  append(bodies: readonly RecordBody[]): Promise<EvidenceRecord[]>;
  /** The head as the head row says (kept apart from the records so that a cut-off tail shows). */
  head(): Promise<ChainHead | undefined>;
  /** Records in seq order, streamed in batches. */
  scan(options?: ScanOptions): AsyncIterable<EvidenceRecord>;

  /** The person's key, created on first use when `create` is true. */
  personKey(personId: string, create: boolean): Promise<PersonKey | undefined>;
  /** Who a subject is, while their key exists. */
  personOfSubject(subject: string): Promise<string | undefined>;
  /** Deletes the key and every note of the person: their records stay, unlinkable. */
  forgetPerson(personId: string): Promise<{ subject: string; notesDeleted: number } | undefined>;

  putNote(note: StoredNote): Promise<void>;
  note(ref: string): Promise<StoredNote | undefined>;

  close(): Promise<void>;
}
