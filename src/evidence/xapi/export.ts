import { createWriteStream, type WriteStream } from "node:fs";
import type { EvidenceRecord } from "../ledger/record.ts";
import { statementFromRecord, type XapiContext } from "./from-record.ts";
import type { Statement } from "./statement.ts";
import { validateStatement } from "./validate.ts";

/**
 * Where statements go. The file sink below is the first; pushing to an LRS
 * through the durable outbox (nothing lost while the LRS is down) is the
 * second implementation of this same seam: POST batches to
 * `<endpoint>/statements` with `X-Experience-API-Version: 2.0.0`, ids already
 * deterministic so a re-send after an outage is harmless.
 */
export interface StatementSink {
  write(batch: readonly Statement[]): Promise<void>;
  close(): Promise<void>;
}

/** A JSON array of statements, the body `POST /statements` takes, streamed so a big export stays small in memory. */
export class JsonArrayFileSink implements StatementSink {
  readonly #out: WriteStream;
  #first = true;

  constructor(path: string) {
    this.#out = createWriteStream(path, { encoding: "utf8" });
    this.#out.write("[");
  }

  async write(batch: readonly Statement[]): Promise<void> {
    let text = "";
    for (const s of batch) {
      text += `${this.#first ? "\n" : ",\n"}${JSON.stringify(s)}`;
      this.#first = false;
    }
    if (!this.#out.write(text)) await new Promise<void>((resolve) => this.#out.once("drain", resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#out.once("error", reject);
      this.#out.end(this.#first ? "]\n" : "\n]\n", () => resolve());
    });
  }
}

export class InvalidStatementError extends Error {
  constructor(seq: number, problems: readonly { path: string; message: string }[]) {
    super(
      `record ${seq} gives an invalid xAPI statement: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")}`,
    );
    this.name = "InvalidStatementError";
  }
}

/**
 * Every record that is a learning experience, as validated statements into
 * `sink`. A statement failing validation is our bug, not the data's: the
 * export stops naming the record rather than send something an LRS rejects.
 */
export async function exportStatements(
  records: AsyncIterable<EvidenceRecord> | Iterable<EvidenceRecord>,
  ctx: XapiContext,
  sink: StatementSink,
  batchSize = 500,
): Promise<{ records: number; statements: number }> {
  let batch: Statement[] = [];
  let count = 0;
  let statements = 0;
  for await (const r of records) {
    count++;
    const s = statementFromRecord(r, ctx);
    if (!s) continue;
    const problems = validateStatement(s);
    if (problems.length > 0) throw new InvalidStatementError(r.seq, problems);
    batch.push(s);
    if (batch.length >= batchSize) {
      await sink.write(batch);
      statements += batch.length;
      batch = [];
    }
  }
  if (batch.length) await sink.write(batch);
  statements += batch.length;
  return { records: count, statements };
}
