import { closeSync, constants, fdatasyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { crc32 } from "node:zlib";

// Where each sink stands in the shared log: a small file of two slots written
// alternately in place (one pwrite, no rename). A write torn by a power cut
// spoils one slot; the other still holds the previous cursors. The newest
// intact slot (highest generation) wins.
//
//   "2 <generation> <lastId> <lastSeq> <sink>:<delivered id> … <crc32>"
//
// lastId keeps record ids from being reused once every segment is deleted;
// lastSeq keeps observation seqs from being reused (the pipeline continues
// after it).

const SLOT_BYTES = 256;
const FORMAT = "2";

export type Cursors = {
  generation: number;
  lastId: number;
  lastSeq: number;
  /** Per sink: every record id ≤ this is delivered to it. */
  delivered: Map<string, number>;
};

export function encodeCursorSlot(c: Cursors): Buffer {
  const sinks = [...c.delivered].map(([sink, id]) => `${sink}:${id}`).join(" ");
  const text = `${FORMAT} ${c.generation} ${c.lastId} ${c.lastSeq} ${sinks}`.trimEnd();
  const line = `${text} ${crc32(text)}`;
  if (line.length >= SLOT_BYTES) throw new Error("outbox cursors: too many sinks for one slot");
  return Buffer.from(`${line.padEnd(SLOT_BYTES - 1, " ")}\n`, "latin1");
}

/** The newest intact slot of a cursors file's content, if any. */
export function decodeCursors(content: Buffer): Cursors | undefined {
  let best: Cursors | undefined;
  for (let at = 0; at + SLOT_BYTES <= content.length; at += SLOT_BYTES) {
    const parts = content
      .toString("latin1", at, at + SLOT_BYTES)
      .trim()
      .split(" ");
    const crc = parts.pop();
    const text = parts.join(" ");
    if (parts[0] !== FORMAT || parts.length < 4 || String(crc32(text)) !== crc) continue;
    const [generation, lastId, lastSeq] = parts.slice(1, 4).map(Number) as [number, number, number];
    const delivered = new Map<string, number>();
    for (const p of parts.slice(4)) {
      const colon = p.lastIndexOf(":");
      delivered.set(p.slice(0, colon), Number(p.slice(colon + 1)));
    }
    if (!best || generation > best.generation) best = { generation, lastId, lastSeq, delivered };
  }
  return best;
}

/** The cursors file of one shared log: read once at open, then saved in place. */
export class CursorFile {
  private fd: number | undefined;
  private slot = 0;
  private generation = 0;

  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** "missing": a new log; "unreadable": both slots damaged. */
  read(): Cursors | "missing" | "unreadable" {
    let content: Buffer;
    try {
      content = readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
      throw err;
    }
    const cursors = decodeCursors(content);
    if (!cursors) return "unreadable";
    this.generation = cursors.generation;
    return cursors;
  }

  save(c: Omit<Cursors, "generation">, sync = false): void {
    if (this.fd === undefined) this.fd = openSync(this.file, constants.O_RDWR | constants.O_CREAT, 0o644);
    const slot = encodeCursorSlot({ ...c, generation: this.generation + 1 });
    writeSync(this.fd, slot, 0, slot.length, this.slot * SLOT_BYTES);
    if (sync) fdatasyncSync(this.fd);
    this.generation++;
    this.slot = this.slot === 0 ? 1 : 0;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

// The per-sink outbox before the shared log kept "delivered lastId lastSeq crc"
// in two 64-byte slots of a `position` file. Read only to import such a folder.
const LEGACY_SLOT_BYTES = 64;

export type LegacyPosition = { delivered: number; lastId: number; lastSeq: number };

export function decodeLegacyPosition(content: Buffer): LegacyPosition | undefined {
  let best: LegacyPosition | undefined;
  for (let at = 0; at + LEGACY_SLOT_BYTES <= content.length; at += LEGACY_SLOT_BYTES) {
    const parts = content
      .toString("latin1", at, at + LEGACY_SLOT_BYTES)
      .trim()
      .split(" ");
    if (parts.length !== 4) continue;
    const text = parts.slice(0, 3).join(" ");
    if (String(crc32(text)) !== parts[3]) continue;
    const [delivered, lastId, lastSeq] = parts.slice(0, 3).map(Number) as [number, number, number];
    if (!best || lastId > best.lastId || (lastId === best.lastId && delivered > best.delivered)) {
      best = { delivered, lastId, lastSeq };
    }
  }
  return best;
}
