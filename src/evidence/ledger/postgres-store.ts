import pg from "pg";
import { connectionConfig, inTransaction } from "../../training/store/postgres-connection.ts";
import { postgresOpenError } from "../../training/store/postgres-errors.ts";
import { newPersonKey } from "../privacy/subjects.ts";
import { type ChainHead, type EvidenceRecord, GENESIS_HASH, type RecordBody, seal } from "./record.ts";
import { ledgerSchemaSql, RECORD_COLUMNS, type RecordRow, recordFromRow, rowValues } from "./sql.ts";
import type { LedgerStore, PersonKey, ScanOptions, StoredNote } from "./store.ts";

// Arbitrary but fixed: the advisory lock that keeps two gateways from creating
// the tables at the same moment (CREATE TABLE IF NOT EXISTS is not safe against that).
const SCHEMA_LOCK = 0x6d70_6576; // "mpev"
/** Rows per INSERT: 11 parameters each, far below PostgreSQL's 65,535. */
const INSERT_CHUNK = 500;

/**
 * The ledger shared by several gateways of one site. Appends run in a
 * transaction that locks the single head row (SELECT … FOR UPDATE): a second
 * gateway waits, then chains onto the record the first one wrote.
 */
export class PostgresLedgerStore implements LedgerStore {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * @param onIdleError an idle connection that the server drops (restart,
   * failover) is reported here instead of crashing the process; the pool
   * opens a new one on the next query.
   */
  static async open(url: string, onIdleError: (err: Error) => void = () => {}): Promise<PostgresLedgerStore> {
    const pool = new pg.Pool({ ...connectionConfig(url), max: 4 });
    pool.on("error", onIdleError);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      await pool.end();
      // pg's "connect ECONNREFUSED …" names neither the setting nor the fix.
      throw postgresOpenError(err, url, "evidence ledger");
    }
    try {
      await client.query("SELECT pg_advisory_lock($1)", [SCHEMA_LOCK]);
      await client.query(ledgerSchemaSql("postgres"));
      // The head row exists from the start, so the first append has something to lock.
      await client.query(
        "INSERT INTO evidence_head (id, seq, hash) VALUES (1, 0, $1) ON CONFLICT (id) DO NOTHING",
        [GENESIS_HASH],
      );
      await client.query("SELECT pg_advisory_unlock($1)", [SCHEMA_LOCK]);
    } catch (err) {
      client.release();
      await pool.end();
      throw err;
    }
    client.release();
    return new PostgresLedgerStore(pool);
  }

  /** For tests that tamper with storage on purpose. */
  query(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
    return this.#pool.query(sql, params);
  }

  async append(bodies: readonly RecordBody[]): Promise<EvidenceRecord[]> {
    if (bodies.length === 0) return [];
    return inTransaction(this.#pool, async (client) => {
      const locked = await client.query<{ seq: string; hash: string }>(
        "SELECT seq, hash FROM evidence_head WHERE id = 1 FOR UPDATE",
      );
      let head = toHead(locked.rows[0]);
      const out: EvidenceRecord[] = [];
      for (const body of bodies) {
        const record = seal(head, body);
        out.push(record);
        head = { seq: record.seq, hash: record.hash };
      }
      for (let i = 0; i < out.length; i += INSERT_CHUNK) {
        const chunk = out.slice(i, i + INSERT_CHUNK);
        const values = chunk
          .map((_, r) => `(${Array.from({ length: 11 }, (_, c) => `$${r * 11 + c + 1}`).join(", ")})`)
          .join(", ");
        await client.query(
          `INSERT INTO evidence_records (${RECORD_COLUMNS}) VALUES ${values}`,
          chunk.flatMap(rowValues),
        );
      }
      await client.query("UPDATE evidence_head SET seq = $1, hash = $2 WHERE id = 1", [
        head!.seq,
        head!.hash,
      ]);
      return out;
    });
  }

  async head(): Promise<ChainHead | undefined> {
    const res = await this.#pool.query<{ seq: string; hash: string }>(
      "SELECT seq, hash FROM evidence_head WHERE id = 1",
    );
    return toHead(res.rows[0]);
  }

  async *scan(options: ScanOptions = {}): AsyncIterable<EvidenceRecord> {
    // Keyset pages instead of a cursor: no transaction held open while a caller is slow.
    const batch = options.batchSize ?? 5000;
    let after = options.afterSeq ?? 0;
    for (;;) {
      const res =
        options.subject === undefined
          ? await this.#pool.query<RecordRow>(
              `SELECT ${RECORD_COLUMNS} FROM evidence_records WHERE seq > $1 ORDER BY seq LIMIT $2`,
              [after, batch],
            )
          : await this.#pool.query<RecordRow>(
              `SELECT ${RECORD_COLUMNS} FROM evidence_records WHERE seq > $1 AND subject = $2 ORDER BY seq LIMIT $3`,
              [after, options.subject, batch],
            );
      for (const row of res.rows) yield recordFromRow(row);
      if (res.rows.length < batch) return;
      after = Number(res.rows[res.rows.length - 1]!.seq);
    }
  }

  async personKey(personId: string, create: boolean): Promise<PersonKey | undefined> {
    if (create) {
      const fresh = newPersonKey(personId);
      await this.#pool.query(
        "INSERT INTO evidence_person_keys (person_id, subject, key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO NOTHING",
        [personId, fresh.subject, fresh.key, Date.now()],
      );
    }
    const res = await this.#pool.query<{ subject: string; key: Buffer }>(
      "SELECT subject, key FROM evidence_person_keys WHERE person_id = $1",
      [personId],
    );
    const row = res.rows[0];
    return row ? { personId, subject: row.subject, key: row.key } : undefined;
  }

  async personOfSubject(subject: string): Promise<string | undefined> {
    const res = await this.#pool.query<{ person_id: string }>(
      "SELECT person_id FROM evidence_person_keys WHERE subject = $1",
      [subject],
    );
    return res.rows[0]?.person_id;
  }

  async forgetPerson(personId: string): Promise<{ subject: string; notesDeleted: number } | undefined> {
    return inTransaction(this.#pool, async (client) => {
      const res = await client.query<{ subject: string }>(
        "DELETE FROM evidence_person_keys WHERE person_id = $1 RETURNING subject",
        [personId],
      );
      const subject = res.rows[0]?.subject;
      let notesDeleted = 0;
      if (subject !== undefined) {
        notesDeleted =
          (await client.query("DELETE FROM evidence_notes WHERE subject = $1", [subject])).rowCount ?? 0;
      }
      return subject === undefined ? undefined : { subject, notesDeleted };
    });
  }

  async putNote(note: StoredNote): Promise<void> {
    await this.#pool.query(
      "INSERT INTO evidence_notes (ref, subject, text, ts) VALUES ($1, $2, $3, $4) ON CONFLICT (ref) DO NOTHING",
      [note.ref, note.subject, note.text, note.ts],
    );
  }

  async note(ref: string): Promise<StoredNote | undefined> {
    const res = await this.#pool.query<{ ref: string; subject: string; text: string; ts: string }>(
      "SELECT ref, subject, text, ts FROM evidence_notes WHERE ref = $1",
      [ref],
    );
    const row = res.rows[0];
    return row ? { ...row, ts: Number(row.ts) } : undefined;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

function toHead(row: { seq: string | number; hash: string } | undefined): ChainHead | undefined {
  if (!row || Number(row.seq) === 0) return undefined;
  return { seq: Number(row.seq), hash: row.hash };
}
