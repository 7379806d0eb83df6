import type { Logger } from "pino";
import type { Catalogue } from "./catalogue/load.ts";
import type { EvidenceRecord, RecordBody } from "./ledger/record.ts";
import type { LedgerStore } from "./ledger/store.ts";
import { noteRef, sessionRef } from "./privacy/subjects.ts";
import type { EvidenceDraft } from "./recorder/map-event.ts";
import { applyRecord, emptyStates, type SubjectStates } from "./rules/evaluate.ts";
import { goalsTouchedBy } from "./rules/match.ts";
import { SYSTEM_AUTHOR, statusPayload } from "./rules/status.ts";
import { type ActorRole, automaticChanges, type ChangeVerdict, checkChange } from "./rules/transitions.ts";

export type EvidenceServiceOptions = {
  store: LedgerStore;
  catalogue: Catalogue;
  log?: Logger;
};

export type MarkChange = {
  traineeId: string;
  goal: string;
  to: "F" | "K";
  actor: { personId: string; role: ActorRole; teachesTrainee: boolean };
  comment?: string;
  ts: number;
};

/** Trainees whose evaluated states are kept between appends (a course has tens; a year a few hundred). */
const EVALUATED_TRAINEES_KEPT = 2000;

/**
 * The evidence side's one entry point for the gateway and the API: turns
 * drafts (which name people in clear) into keyed, sealed records, writes the
 * automatic P/F-proposed marks they earn, checks and writes people's F and K,
 * and erases a person. Calls are queued so that one gateway never evaluates a
 * trainee while its own previous append is still in flight.
 */
export class EvidenceService {
  readonly #store: LedgerStore;
  readonly #catalogue: Catalogue;
  readonly #log: Logger | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /**
   * Incremental evaluation: per trainee, their states and the last seq folded
   * in. An append then reads and folds only the trainee's records after that
   * seq (one indexed query), instead of re-reading and re-evaluating their
   * whole history (25–70 ms at 4,000 records). Records written by another
   * process are folded in the same way, since they, too, come after it.
   */
  readonly #evaluated = new Map<string, { subject: string; states: SubjectStates; lastSeq: number }>();
  /**
   * Trainees whose evidence was appended but whose automatic marks could not
   * be written after it (the ledger went away in between). Their drafts must
   * not be recorded again (that would count a cycle twice); the marks are
   * derived again from the records at the next `record`.
   */
  readonly #marksOwed = new Set<string>();

  constructor(options: EvidenceServiceOptions) {
    this.#store = options.store;
    this.#catalogue = options.catalogue;
    this.#log = options.log;
  }

  get catalogue(): Catalogue {
    return this.#catalogue;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Seal machine evidence, then the automatic marks it earns for each trainee
   * concerned. Rejects only when the drafts were not appended (all or
   * nothing), so a caller may retry them; marks that could not be written
   * after the append are owed and written at the next call.
   */
  record(drafts: readonly EvidenceDraft[]): Promise<EvidenceRecord[]> {
    return this.#serial(async () => {
      if (drafts.length === 0) return [];
      const bodies: RecordBody[] = [];
      const trainees = new Set<string>();
      for (const d of drafts) {
        bodies.push(await this.#body(d, goalsTouchedBy(this.#catalogue, d)));
        trainees.add(d.traineeId);
      }
      const out = await this.#store.append(bodies);
      for (const t of this.#marksOwed) trainees.add(t);
      for (const t of trainees) {
        try {
          out.push(...(await this.#syncAutomatic(t)));
          this.#marksOwed.delete(t);
        } catch (err) {
          this.#marksOwed.add(t);
          // Not the trainee: a count is enough to see that marks are late.
          this.#log?.warn(
            { owed: this.#marksOwed.size, error: (err as Error).message },
            "evidence recorded, automatic marks not yet written; they follow with the next record",
          );
        }
      }
      return out;
    });
  }

  async #body(d: EvidenceDraft, goals: readonly string[]): Promise<RecordBody> {
    const key = (await this.#store.personKey(d.traineeId, true))!;
    const author = d.authorId === undefined ? null : (await this.#store.personKey(d.authorId, true))!.subject;
    return {
      type: d.type,
      subject: key.subject,
      machine: d.machine,
      session: d.sessionId === null ? null : sessionRef(key.key, d.sessionId),
      ts: d.ts,
      author,
      goals,
      payload: d.payload,
    };
  }

  async #syncAutomatic(traineeId: string): Promise<EvidenceRecord[]> {
    const states = await this.#statesOf(traineeId);
    const changes = automaticChanges(states);
    if (changes.length === 0) return [];
    const subject = (await this.#store.personKey(traineeId, false))!.subject;
    return this.#store.append(
      changes.map((c) => ({
        type: "status.changed",
        subject,
        machine: null,
        session: null,
        ts: c.ts,
        author: SYSTEM_AUTHOR,
        goals: [c.goal],
        payload: statusPayload({ goal: c.goal, to: c.to, role: "system" }),
      })),
    );
  }

  /** An instructor's free-text note: the text stays outside the chain, the chain holds a keyed reference. */
  addNote(note: {
    traineeId: string;
    authorId: string;
    ts: number;
    text: string;
    machine?: string;
    goals?: string[];
  }) {
    return this.#serial(async () => {
      const key = (await this.#store.personKey(note.traineeId, true))!;
      const ref = noteRef(key.key, note.text, note.ts);
      await this.#store.putNote({ ref, subject: key.subject, text: note.text, ts: note.ts });
      const body = await this.#body(
        {
          type: "note",
          traineeId: note.traineeId,
          machine: note.machine ?? null,
          sessionId: null,
          ts: note.ts,
          authorId: note.authorId,
          payload: { noteRef: ref },
        },
        note.goals ?? [],
      );
      return (await this.#store.append([body]))[0]!;
    });
  }

  /** F or K by a person; the verdict says why not when it is refused. */
  changeMark(change: MarkChange): Promise<ChangeVerdict & { record?: EvidenceRecord }> {
    return this.#serial(async () => {
      const goal = this.#catalogue.goals.get(change.goal);
      if (!goal) return { ok: false, reason: `unknown goal "${change.goal}"` };
      const states = await this.#statesOf(change.traineeId);
      const verdict = checkChange(goal, states.get(goal.id), {
        to: change.to,
        role: change.actor.role,
        own: change.actor.personId === change.traineeId,
        teachesTrainee: change.actor.teachesTrainee,
        comment: change.comment,
      });
      if (!verdict.ok) return verdict;
      const key = (await this.#store.personKey(change.traineeId, true))!;
      let commentRef: string | undefined;
      if (change.comment?.trim()) {
        commentRef = noteRef(key.key, change.comment, change.ts);
        await this.#store.putNote({
          ref: commentRef,
          subject: key.subject,
          text: change.comment,
          ts: change.ts,
        });
      }
      const role = change.actor.role === "trainee" ? "trainee" : "instructor";
      const body = await this.#body(
        {
          type: "status.changed",
          traineeId: change.traineeId,
          machine: null,
          sessionId: null,
          ts: change.ts,
          authorId: change.actor.personId,
          payload: statusPayload({ goal: goal.id, to: change.to, role, commentRef }),
        },
        [goal.id],
      );
      const [record] = await this.#store.append([body]);
      this.#log?.info({ subject: key.subject, goal: goal.id, to: change.to, role }, "evidence mark changed");
      return { ok: true, record };
    });
  }

  async #statesOf(traineeId: string): Promise<SubjectStates> {
    const key = await this.#store.personKey(traineeId, false);
    if (!key) {
      this.#evaluated.delete(traineeId);
      return emptyStates(this.#catalogue);
    }
    let e = this.#evaluated.get(traineeId);
    if (e?.subject !== key.subject) {
      e = { subject: key.subject, states: emptyStates(this.#catalogue), lastSeq: 0 };
    }
    // Most recently used last, so the oldest entry is the one to let go when the cache is full.
    this.#evaluated.delete(traineeId);
    this.#evaluated.set(traineeId, e);
    if (this.#evaluated.size > EVALUATED_TRAINEES_KEPT)
      this.#evaluated.delete(this.#evaluated.keys().next().value!);
    for await (const r of this.#store.scan({ subject: key.subject, afterSeq: e.lastSeq })) {
      applyRecord(e.states, r, this.#catalogue);
      e.lastSeq = r.seq;
    }
    return e.states;
  }

  /** P/F/K of one trainee on every goal ("none" for goals without evidence). */
  marksOf(traineeId: string): Promise<SubjectStates> {
    // A copy: the cached states go on changing with later appends.
    return this.#serial(async () => structuredClone(await this.#statesOf(traineeId)));
  }

  /** One trainee's records (empty once erased: their subject can no longer be computed). */
  async recordsOf(traineeId: string): Promise<EvidenceRecord[]> {
    const key = await this.#store.personKey(traineeId, false);
    if (!key) return [];
    const out: EvidenceRecord[] = [];
    for await (const r of this.#store.scan({ subject: key.subject })) out.push(r);
    return out;
  }

  /**
   * Everything the evidence side holds about one person, for the access
   * request (`maskinport trainees export ID`): their subject, records with
   * payloads, and the text of every note and comment about them.
   */
  async exportOf(traineeId: string): Promise<{
    subject: string | undefined;
    records: (Omit<EvidenceRecord, "payloadJson"> & { payload: unknown })[];
    notes: { ref: string; ts: number; text: string }[];
  }> {
    const records = await this.recordsOf(traineeId);
    const notes: { ref: string; ts: number; text: string }[] = [];
    for (const r of records) {
      const p = JSON.parse(r.payloadJson) as Record<string, unknown>;
      for (const ref of [p.noteRef, p.commentRef]) {
        if (typeof ref !== "string") continue;
        const n = await this.#store.note(ref);
        if (n) notes.push({ ref, ts: n.ts, text: n.text });
      }
    }
    return {
      subject: records[0]?.subject ?? (await this.subjectOf(traineeId)),
      records: records.map(({ payloadJson, ...rest }) => ({
        ...rest,
        payload: JSON.parse(payloadJson) as unknown,
      })),
      notes,
    };
  }

  subjectOf(personId: string): Promise<string | undefined> {
    return this.#store.personKey(personId, false).then((k) => k?.subject);
  }

  personOfSubject(subject: string): Promise<string | undefined> {
    return this.#store.personOfSubject(subject);
  }

  noteText(ref: string): Promise<string | undefined> {
    return this.#store.note(ref).then((n) => n?.text);
  }

  /**
   * Erase a person: a `subject.erased` record logs it in the chain, then the
   * key and all notes go. Records stay (anonymous counts for the school's
   * statistics) and the chain still verifies.
   */
  erase(
    personId: string,
    reason: "request" | "retention",
    ts: number,
  ): Promise<{ subject: string; notesDeleted: number } | undefined> {
    return this.#serial(async () => {
      const key = await this.#store.personKey(personId, false);
      if (!key) return undefined;
      await this.#store.append([
        {
          type: "subject.erased",
          subject: key.subject,
          machine: null,
          session: null,
          ts,
          author: SYSTEM_AUTHOR,
          goals: [],
          payload: { reason },
        },
      ]);
      const done = await this.#store.forgetPerson(personId);
      this.#evaluated.delete(personId);
      this.#log?.info(
        { subject: key.subject, reason, notesDeleted: done?.notesDeleted ?? 0 },
        "evidence subject erased",
      );
      return done;
    });
  }
}
