import { closeSync, ftruncateSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";

// The on-disk record format of outbox segments. A segment file is a plain
// sequence of records; a record is a 32-byte header and a body:
//
//   0  u16  magic 0x4d50 ("MP")        16 u32  CRC-32 of the body
//   2  u16  format version             20 f64  highest observation seq (NaN: none)
//   4  u32  body length in bytes       28 u32  creation time, seconds since epoch
//   8  u32  items in the body (count)
//  12  u32  reserved (0)
//
// Version 2 (the shared log): the body is a section table and one section per
// sink (record-sections.ts), so one write holds a batch for every sink.
// Version 1 (the per-sink folders before it): the body is one sink's UTF-8
// encoding; read only to import an old outbox (legacy-import.ts).
//
// A crash can only tear the last record of the file that was being written;
// the CRC and the length catch it and recovery cuts the file there.

export const HEADER_BYTES = 32;
const MAGIC = 0x4d50;
export const SHARED_VERSION = 2;
export const LEGACY_VERSION = 1;

export type RecordHeader = {
  bodyBytes: number;
  items: number;
  crc: number;
  seqMax: number | undefined;
  createdMs: number;
};

/** Fill `header` (32 bytes, reused) for a body made of `parts` (written after it with one writev). */
export function encodeHeader(
  header: Buffer,
  parts: readonly Buffer[],
  items: number,
  seqMax: number | undefined,
  createdMs: number,
  version = SHARED_VERSION,
): void {
  let length = 0;
  let crc = 0;
  for (const p of parts) {
    length += p.length;
    crc = crc32(p, crc);
  }
  header.writeUInt16LE(MAGIC, 0);
  header.writeUInt16LE(version, 2);
  header.writeUInt32LE(length, 4);
  header.writeUInt32LE(items, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(crc, 16);
  header.writeDoubleLE(seqMax ?? Number.NaN, 20);
  header.writeUInt32LE(Math.floor(createdMs / 1000), 28);
}

export function decodeHeader(buf: Buffer, at: number, version = SHARED_VERSION): RecordHeader | undefined {
  if (buf.readUInt16LE(at) !== MAGIC || buf.readUInt16LE(at + 2) !== version) return undefined;
  const seq = buf.readDoubleLE(at + 20);
  return {
    bodyBytes: buf.readUInt32LE(at + 4),
    items: buf.readUInt32LE(at + 8),
    crc: buf.readUInt32LE(at + 16),
    seqMax: Number.isNaN(seq) ? undefined : seq,
    createdMs: buf.readUInt32LE(at + 28) * 1000,
  };
}

/** The format version of the record at `offset` (undefined: not a record). */
export function recordVersionAt(fd: number, offset: number): number | undefined {
  const buf = Buffer.alloc(4);
  if (readSync(fd, buf, 0, 4, offset) !== 4 || buf.readUInt16LE(0) !== MAGIC) return undefined;
  return buf.readUInt16LE(2);
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
  version = SHARED_VERSION,
): number {
  let buf = scratch.buf;
  let pos = offset;
  while (pos + HEADER_BYTES <= fileSize) {
    const want = Math.min(buf.length, fileSize - pos);
    const got = readSync(fd, buf, 0, want, pos);
    if (got < HEADER_BYTES) return pos;
    let at = 0;
    while (at + HEADER_BYTES <= got) {
      const h = decodeHeader(buf, at, version);
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

/** Cut a torn or damaged tail off a segment file. */
export function truncateFile(path: string, size: number): void {
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** Segment files are named by the id of their first record. */
export const SEGMENT_NAME = /^\d{16}\.seg$/;

export function segmentName(baseId: number): string {
  return `${String(baseId).padStart(16, "0")}.seg`;
}
