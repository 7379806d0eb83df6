import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import type { EvidenceRecord } from "../ledger/record.ts";
import type { LedgerStore } from "../ledger/store.ts";
import { statementFromRecord, type XapiContext } from "./from-record.ts";
import type { Statement } from "./statement.ts";
import { validateStatement } from "./validate.ts";

/** What the feed needs of the outbox: the xapi sink's view of the shared log (src/sinks/outbox). */
export type StatementOutbox = { append(body: string, items: number): boolean };

export type LrsFeedOptions = {
  ledger: Pick<LedgerStore, "scan" | "head" | "personOfSubject">;
  outbox: StatementOutbox;
  /** Where the ledger seq already turned into statements is kept (`<outbox.path>/xapi/ledger-position`). */
  positionFile: string;
  context: Omit<XapiContext, "actorName">;
  log: Logger;
  /** Statements per outbox entry. Default 100. */
  batchSize?: number;
  /** The ledger is looked at least this often (records appended by the CLI or another gateway). Default 1 s. */
  pollIntervalMs?: number;
};

export type LrsFeedStats = {
  /** Statements written to the outbox. */
  enqueued: number;
  /** Records that gave none: notes, erasures, F proposals, erased subjects, and (our bug) invalid ones. */
  skipped: number;
  /** Every record with seq ≤ position is in the outbox or was skipped. */
  position: number;
};

/**
 * Ledger → outbox for the LRS. The feed follows the ledger instead of being
 * handed each new record, so nothing can fall between the ledger's commit and
 * the outbox's write: after a crash it starts again from its saved position
 * and resends a little (statement ids are deterministic, the LRS keeps one
 * copy), and records appended by the CLI or another process are pushed too.
 * On the first start it begins at the ledger's head: the past is exported on
 * purpose (`maskinport evidence export --xapi`), not by a config change.
 */
export class LrsFeed {
  readonly stats: LrsFeedStats = { enqueued: 0, skipped: 0, position: 0 };
  readonly #o: LrsFeedOptions;
  readonly #batchSize: number;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<number> | undefined;
  #again = false;
  #outboxFull = false;

  constructor(options: LrsFeedOptions) {
    this.#o = options;
    this.#batchSize = options.batchSize ?? 100;
  }

  /** Load (or create) the position; then poll every pollIntervalMs. */
  async start(): Promise<void> {
    const head = (await this.#o.ledger.head())?.seq ?? 0;
    const saved = readPosition(this.#o.positionFile);
    if (saved === undefined) {
      this.stats.position = head;
      this.#save();
      this.#o.log.info(
        { fromSeq: head + 1 },
        "xapi feed starts at the ledger's head; earlier records: maskinport evidence export --xapi",
      );
    } else if (saved > head) {
      // A ledger replaced by an older or new one: follow the ledger we have.
      this.stats.position = head;
      this.#save();
      this.#o.log.warn({ saved, head }, "xapi feed position is past the ledger's head; following the ledger");
    } else {
      this.stats.position = saved;
    }
    this.#timer = setInterval(() => void this.poll(), this.#o.pollIntervalMs ?? 1000);
    this.#timer.unref();
    void this.poll();
  }

  /** Look at the ledger soon (call after an append; the timer catches everything else). */
  notify(): void {
    void this.poll();
  }

  /** Turn new records into statements in the outbox; resolves with how many were enqueued. Serialised. */
  poll(): Promise<number> {
    if (this.#polling) {
      this.#again = true;
      return this.#polling;
    }
    this.#polling = (async () => {
      let total = 0;
      try {
        do {
          this.#again = false;
          total += await this.#pollOnce();
        } while (this.#again);
      } catch (err) {
        this.#o.log.error({ err }, "xapi feed could not read the ledger; retrying at the next poll");
      } finally {
        this.#polling = undefined;
      }
      return total;
    })();
    return this.#polling;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#polling;
  }

  async #pollOnce(): Promise<number> {
    let chunk: EvidenceRecord[] = [];
    let enqueued = 0;
    for await (const r of this.#o.ledger.scan({ afterSeq: this.stats.position, batchSize: 500 })) {
      chunk.push(r);
      if (chunk.length < this.#batchSize) continue;
      const n = await this.#enqueue(chunk);
      if (n < 0) return enqueued;
      enqueued += n;
      chunk = [];
    }
    if (chunk.length > 0) {
      const n = await this.#enqueue(chunk);
      if (n > 0) enqueued += n;
    }
    return enqueued;
  }

  /** One outbox entry for `records`; -1 when the outbox refused it (full): the position stays. */
  async #enqueue(records: EvidenceRecord[]): Promise<number> {
    const live = await this.#liveSubjects(records);
    const context: XapiContext = { ...this.#o.context, actorName: (s) => (live.has(s) ? s : undefined) };
    const statements: Statement[] = [];
    for (const r of records) {
      const s = statementFromRecord(r, context);
      if (!s) {
        this.stats.skipped++;
        continue;
      }
      const problems = validateStatement(s);
      if (problems.length > 0) {
        // Our bug, not the data's: log it by seq and move on rather than block every later record.
        this.stats.skipped++;
        this.#o.log.error(
          { seq: r.seq, problems: problems.map((p) => `${p.path} ${p.message}`) },
          "xapi statement invalid; not pushed",
        );
        continue;
      }
      statements.push(s);
    }
    const last = records[records.length - 1]!.seq;
    if (statements.length > 0) {
      if (!this.#o.outbox.append(JSON.stringify(statements), statements.length)) {
        if (!this.#outboxFull)
          this.#o.log.warn({ seq: records[0]!.seq }, "xapi feed: outbox full; statements wait in the ledger");
        this.#outboxFull = true;
        return -1;
      }
      this.#outboxFull = false;
    }
    this.stats.enqueued += statements.length;
    this.stats.position = last;
    this.#save();
    return statements.length;
  }

  /** Subjects (trainees and authors) whose key still exists: erased people's records are not pushed. */
  async #liveSubjects(records: readonly EvidenceRecord[]): Promise<Set<string>> {
    const wanted = new Set<string>();
    for (const r of records) {
      if (r.subject) wanted.add(r.subject);
      if (r.author) wanted.add(r.author);
    }
    const live = new Set<string>();
    for (const s of wanted) if ((await this.#o.ledger.personOfSubject(s)) !== undefined) live.add(s);
    return live;
  }

  #save(): void {
    const file = this.#o.positionFile;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, `${this.stats.position}\n`);
    renameSync(`${file}.tmp`, file);
  }
}

function readPosition(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(
      `${file} is damaged (expected a ledger seq): delete it to restart the xapi feed at the ledger's head`,
    );
  return n;
}
