import { closeSync, ftruncateSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";

// The on-disk record format of outbox segments. A segment file is a plain
// sequence of records; a record is a 32-byte header and a UTF-8 body:
//
//   0  u16  magic 0x4d50 ("MP")        16 u32  CRC-32 of the body
//   2  u16  format version (1)         20 f64  highest observation seq (NaN: none)
//   4  u32  body length in bytes       28 u32  creation time, seconds since epoch
//   8  u32  items in the body (count)
//  12  u32  reserved (0)
//
// A crash can only tear the last record of the file that was being written;
// the CRC and the length catch it and recovery cuts the file there.

export const HEADER_BYTES = 32;
const MAGIC = 0x4d50;
const VERSION = 1;

export type RecordHeader = {
  bodyBytes: number;
  items: number;
  crc: number;
  seqMax: number | undefined;
  createdMs: number;
};

/** Fill `header` (32 bytes, reused) for `body`. */
export function encodeHeader(
  header: Buffer,
  body: Buffer,
  items: number,
  seqMax: number | undefined,
  createdMs: number,
): void {
  header.writeUInt16LE(MAGIC, 0);
  header.writeUInt16LE(VERSION, 2);
  header.writeUInt32LE(body.length, 4);
  header.writeUInt32LE(items, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(crc32(body), 16);
  header.writeDoubleLE(seqMax ?? Number.NaN, 20);
  header.writeUInt32LE(Math.floor(createdMs / 1000), 28);
}

export function decodeHeader(buf: Buffer, at: number): RecordHeader | undefined {
  if (buf.readUInt16LE(at) !== MAGIC || buf.readUInt16LE(at + 2) !== VERSION) return undefined;
  const seq = buf.readDoubleLE(at + 20);
  return {
    bodyBytes: buf.readUInt32LE(at + 4),
    items: buf.readUInt32LE(at + 8),
    crc: buf.readUInt32LE(at + 16),
    seqMax: Number.isNaN(seq) ? undefined : seq,
    createdMs: buf.readUInt32LE(at + 28) * 1000,
  };
}

export type ScannedRecord = RecordHeader & { offset: number; body: Buffer };

/**
 * Read records of one segment file from `offset`, in chunks, calling `onRecord`
 * for each intact one until it returns false or the file ends. Returns the
 * offset after the last intact record: where a torn or damaged tail starts.
 */
export function scanRecords(
  fd: number,
  offset: number,
  fileSize: number,
  onRecord: (r: ScannedRecord) => boolean,
  scratch: { buf: Buffer },
): number {
  let buf = scratch.buf;
  let pos = offset;
  while (pos + HEADER_BYTES <= fileSize) {
    const want = Math.min(buf.length, fileSize - pos);
    const got = readSync(fd, buf, 0, want, pos);
    if (got < HEADER_BYTES) return pos;
    let at = 0;
    while (at + HEADER_BYTES <= got) {
      const h = decodeHeader(buf, at);
      if (!h) return pos + at;
      const end = at + HEADER_BYTES + h.bodyBytes;
      if (pos + end > fileSize) return pos + at; // torn: the body never made it
      if (end > got) {
        if (at === 0) buf = Buffer.allocUnsafe(HEADER_BYTES + h.bodyBytes); // bigger than the scratch buffer
        break; // read again from this record
      }
      const body = buf.subarray(at + HEADER_BYTES, end);
      if (crc32(body) !== h.crc) return pos + at;
      if (!onRecord({ ...h, offset: pos + at, body })) return pos + end;
      at = end;
    }
    pos += at;
  }
  return pos;
}

/** A reusable read buffer for scanRecords (bodies handed out are views into it: copy before the next scan). */
export function scratchBuffer(bytes = 64 * 1024): { buf: Buffer } {
  return { buf: Buffer.allocUnsafe(bytes) };
}

// The delivered position lives in a small file of two 64-byte slots written
// alternately in place (one pwrite, no rename): a write torn by a power cut
// spoils one slot, and the other still holds the previous position.
const SLOT_BYTES = 64;

export type Position = { delivered: number; lastId: number; lastSeq: number };

export function encodeSlot(p: Position): Buffer {
  const text = `${p.delivered} ${p.lastId} ${p.lastSeq}`;
  const line = `${text} ${crc32(text)}`;
  return Buffer.from(`${line.padEnd(SLOT_BYTES - 1, " ")}\n`, "latin1");
}

export function slotOffset(slot: 0 | 1): number {
  return slot * SLOT_BYTES;
}

/** The newest intact slot of a position file's content, if any. */
export function decodePosition(content: Buffer): Position | undefined {
  let best: Position | undefined;
  for (let at = 0; at + SLOT_BYTES <= content.length; at += SLOT_BYTES) {
    const parts = content
      .toString("latin1", at, at + SLOT_BYTES)
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

/** Cut a torn or damaged tail off a segment file. */
export function truncateFile(path: string, size: number): void {
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}
