import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readSync,
  unlinkSync,
  writevSync,
} from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import {
  decodeHeader,
  encodeHeader,
  HEADER_BYTES,
  recordVersionAt,
  type ScannedRecord,
  SEGMENT_NAME,
  SHARED_VERSION,
  scanRecords,
  scratchBuffer,
  segmentName,
  truncateFile,
} from "./segment-file.ts";

// The shared log's files: append-only segment files of records, each record
// one id (1, 2, 3 … never reused). This module writes records, finds them by
// id and deletes whole files; who has read or delivered what is the business
// of the sinks' cursors (sink-outbox.ts) and SharedOutbox.

/** One sink's share of a segment: its items and section bytes, and how much of that is delivered. */
export type SinkShare = { items: number; bytes: number; deliveredItems: number; deliveredBytes: number };

export type Segment = {
  baseId: number;
  file: string;
  count: number;
  size: number;
  /** Record offsets every INDEX_EVERY records, to find an id without reading the whole file. */
  index: number[];
  /** Per member sink (by index). */
  shares: SinkShare[];
  /** A damaged record was met while reading: logged once. */
  damaged?: boolean;
  readFd?: number;
};

export type Place = { seg: Segment; offset: number };

const INDEX_EVERY = 256;

export class SegmentLog {
  readonly path: string;
  segments: Segment[] = [];
  /** Id of the last record written. */
  lastId = 0;
  /** Bytes of all segment files (what outbox.maxBytes bounds). */
  size = 0;
  readonly scratch = scratchBuffer();
  private readonly segmentBytes: number;
  private readonly sinkCount: number;
  private readonly sync: boolean;
  private readonly log: Logger;
  private readonly name: string;
  private readonly header = Buffer.allocUnsafe(HEADER_BYTES);
  private writeFd: number | undefined;

  constructor(opts: {
    path: string;
    name: string;
    segmentBytes: number;
    sinkCount: number;
    durability: "process" | "power";
    log: Logger;
  }) {
    this.path = opts.path;
    this.name = opts.name;
    this.segmentBytes = opts.segmentBytes;
    this.sinkCount = opts.sinkCount;
    this.sync = opts.durability === "power";
    this.log = opts.log;
  }

  /**
   * Load the segment files: every intact record is handed to `onRecord` in id
   * order; a torn tail (an append a crash interrupted) is cut off.
   */
  recover(savedLastId: number, onRecord: (id: number, seg: Segment, r: ScannedRecord) => void): void {
    const files = readdirSync(this.path)
      .filter((f) => SEGMENT_NAME.test(f))
      .sort();
    this.lastId = savedLastId;
    for (const [i, f] of files.entries()) {
      const seg = this.scanSegment(
        join(this.path, f),
        Number(f.slice(0, 16)),
        i === files.length - 1,
        onRecord,
      );
      if (seg.count === 0 && i < files.length - 1) {
        unlinkSync(seg.file);
        continue;
      }
      this.segments.push(seg);
      this.size += seg.size;
      if (seg.count > 0) this.lastId = Math.max(this.lastId, seg.baseId + seg.count - 1);
    }
  }

  private scanSegment(
    file: string,
    baseId: number,
    last: boolean,
    onRecord: (id: number, seg: Segment, r: ScannedRecord) => void,
  ): Segment {
    const seg = this.newSegment(baseId, file);
    const fd = openSync(file, "r");
    let fileSize: number;
    let end: number;
    try {
      fileSize = fstatSync(fd).size;
      const version = fileSize > 0 ? recordVersionAt(fd, 0) : SHARED_VERSION;
      if (version !== undefined && version !== SHARED_VERSION) {
        throw new Error(
          `${file} holds records of outbox format ${version}, not ${SHARED_VERSION}: it belongs in a per-sink folder (outbox.path/<sink>/) of the earlier layout, which is imported at start`,
        );
      }
      end = scanRecords(
        fd,
        0,
        fileSize,
        (r) => {
          const id = baseId + seg.count;
          if (seg.count % INDEX_EVERY === 0) seg.index.push(r.offset);
          seg.count++;
          onRecord(id, seg, r);
          return true;
        },
        this.scratch,
      );
    } finally {
      closeSync(fd);
    }
    if (end < fileSize) {
      // The last file's tail is an append that a crash interrupted (never acknowledged to
      // the caller); anywhere else it is damage, and what follows is unreadable.
      const lost = fileSize - end;
      if (last)
        this.log.warn(
          { outbox: this.name, file, bytes: lost },
          "outbox: cut an interrupted write off the end",
        );
      else
        this.log.error(
          { outbox: this.name, file, bytes: lost },
          "outbox: damaged segment; the rest of it is lost",
        );
      truncateFile(file, end);
    }
    seg.size = end;
    return seg;
  }

  openForAppend(): void {
    const last = this.segments.at(-1);
    if (last && last.size < this.segmentBytes) {
      this.writeFd = openSync(last.file, "a");
      return;
    }
    this.startSegment();
  }

  /** Close the file being written and start the next (named by the next id). */
  startSegment(): Segment {
    if (this.writeFd !== undefined) closeSync(this.writeFd);
    this.writeFd = undefined;
    const baseId = this.lastId + 1;
    const seg = this.newSegment(baseId, join(this.path, segmentName(baseId)));
    this.writeFd = openSync(seg.file, "a");
    this.segments.push(seg);
    return seg;
  }

  /**
   * One writev of header + parts: the record is in the kernel (and with
   * durability power on the disk) when this returns. Throws if the disk
   * refused it (the file is cut back to where it was).
   */
  append(
    parts: Buffer[],
    items: number,
    seqMax: number | undefined,
    createdMs: number,
  ): Place & { bytes: number } {
    let seg = this.segments.at(-1);
    if (!seg || this.writeFd === undefined || seg.size >= this.segmentBytes) seg = this.startSegment();
    encodeHeader(this.header, parts, items, seqMax, createdMs);
    let want = HEADER_BYTES;
    for (const p of parts) want += p.length;
    const wrote = writevSync(this.writeFd!, [this.header, ...parts]);
    if (wrote !== want) {
      ftruncateSync(this.writeFd!, seg.size);
      throw Object.assign(new Error(`short write (${wrote} of ${want} bytes)`), { code: "ENOSPC" });
    }
    if (this.sync) fdatasyncSync(this.writeFd!);
    const offset = seg.size;
    if (seg.count % INDEX_EVERY === 0) seg.index.push(offset);
    seg.count++;
    seg.size += want;
    this.size += want;
    this.lastId++;
    return { seg, offset, bytes: want };
  }

  /** fdatasync these segments (the legacy import: it deletes the old files right after). */
  syncSegments(segs: Iterable<Segment>): void {
    for (const seg of segs) {
      const fd = openSync(seg.file, "r");
      try {
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }

  removeSegment(seg: Segment): void {
    if (seg.readFd !== undefined) closeSync(seg.readFd);
    seg.readFd = undefined;
    unlinkSync(seg.file);
    this.segments.splice(this.segments.indexOf(seg), 1);
    this.size -= seg.size;
  }

  isWriting(seg: Segment): boolean {
    return seg === this.segments.at(-1);
  }

  segmentOf(id: number): Segment | undefined {
    for (const seg of this.segments) if (id >= seg.baseId && id < seg.baseId + seg.count) return seg;
    return undefined;
  }

  /** File position of record `id`: nearest index point, then header by header. */
  locate(id: number): Place | undefined {
    const seg = this.segmentOf(id);
    if (!seg) return undefined;
    const k = Math.floor((id - seg.baseId) / INDEX_EVERY);
    let offset = seg.index[k] ?? 0;
    let at = seg.baseId + k * INDEX_EVERY;
    const fd = this.readFdOf(seg);
    const buf = Buffer.allocUnsafe(HEADER_BYTES);
    while (at < id) {
      if (readSync(fd, buf, 0, HEADER_BYTES, offset) !== HEADER_BYTES) return undefined;
      const h = decodeHeader(buf, 0);
      if (!h) return undefined;
      offset += HEADER_BYTES + h.bodyBytes;
      at++;
    }
    return { seg, offset };
  }

  /** Creation time of record `id` (ms, second resolution), if it can be read. */
  createdMs(id: number): number | undefined {
    const place = this.locate(id);
    if (!place) return undefined;
    const buf = Buffer.allocUnsafe(HEADER_BYTES);
    const got = readSync(this.readFdOf(place.seg), buf, 0, HEADER_BYTES, place.offset);
    return got === HEADER_BYTES ? decodeHeader(buf, 0)?.createdMs : undefined;
  }

  /**
   * A record failed its CRC in the middle of a file (disk damage): readers
   * skip the rest of that file. New records go to a fresh file.
   */
  markDamaged(seg: Segment, at: number): void {
    if (seg.damaged) return;
    seg.damaged = true;
    this.log.error(
      { outbox: this.name, file: seg.file, offset: at },
      "outbox: damaged record while reading; the rest of this segment is skipped",
    );
    if (this.isWriting(seg)) this.startSegment();
  }

  readFdOf(seg: Segment): number {
    if (seg.readFd === undefined) seg.readFd = openSync(seg.file, "r");
    return seg.readFd;
  }

  close(): void {
    for (const seg of this.segments) {
      if (seg.readFd !== undefined) closeSync(seg.readFd);
      seg.readFd = undefined;
    }
    if (this.writeFd !== undefined) closeSync(this.writeFd);
    this.writeFd = undefined;
    this.segments = [];
    this.size = 0;
  }

  private newSegment(baseId: number, file: string): Segment {
    const shares: SinkShare[] = [];
    for (let i = 0; i < this.sinkCount; i++)
      shares.push({ items: 0, bytes: 0, deliveredItems: 0, deliveredBytes: 0 });
    return { baseId, file, count: 0, size: 0, index: [], shares };
  }
}
