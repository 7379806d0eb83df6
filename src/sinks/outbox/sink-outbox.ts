import { emptyStats, type Outbox, type OutboxEntry, type OutboxStats } from "./outbox-types.ts";
import { sectionOf } from "./record-sections.ts";
import { scanRecords } from "./segment-file.ts";
import type { Place, Segment } from "./segment-log.ts";
import type { SharedOutbox } from "./shared-outbox.ts";

type Known = { items: number; bytes: number };

/**
 * A record this view saw written, kept in memory for the next peek: its section
 * as the sink appended it, or `text` undefined when the record has no section
 * for this sink. Ids are contiguous from the first to the last.
 */
type Fresh = { id: number; text: string | undefined; items: number; bytes: number };

/**
 * The freshly written records kept for peek: the pump of a sink that keeps up
 * reads each record right after it was written, so a few hundred cover it; one
 * that fell behind (or a restarted gateway) reads from the files.
 */
const MAX_FRESH_RECORDS = 1024;
const MAX_FRESH_BYTES = 16 * 1024 * 1024;

/**
 * One sink's view of the shared log: its sections of the records, in order,
 * and its own delivered position (cursor). Acks may come out of order; the
 * position moves over contiguous acks only. Records without a section for
 * this sink count as delivered to it.
 */
export class SinkOutbox implements Outbox {
  readonly name: string;
  /** Position in the log's member list (its share of each segment). */
  readonly index: number;
  readonly stats: OutboxStats = emptyStats();
  /** Every id ≤ deliveredUpTo is delivered to this sink (or dropped, or has no section for it). */
  deliveredUpTo = 0;
  /** Items appended in the batch being assembled (not written yet). */
  staged = 0;
  private readonly shared: SharedOutbox;
  private readonly ackedAhead = new Set<number>();
  /** Entries handed out by peek and not yet delivered: their size, for the gauges. */
  private readonly known = new Map<number, Known>();
  /** Where the next sequential peek continues. */
  private cursor: (Place & { nextId: number }) | undefined;
  private readonly listeners = new Set<() => void>();
  /**
   * The records written since the last peek caught up, newest last: peek hands
   * them out without reading and decoding the file (it was ≈ 4 % of the
   * gateway's CPU at 20k messages/s to read back what had just been written).
   * The record is on disk (with `durability: power` synced) before it is here.
   */
  private fresh: Fresh[] = [];
  private freshFirst = 0;
  private freshBytes = 0;

  constructor(shared: SharedOutbox, name: string, index: number) {
    this.shared = shared;
    this.name = name;
    this.index = index;
  }

  get path(): string {
    return this.shared.path;
  }

  append(body: string, items: number, seqMax?: number): boolean {
    return this.shared.appendSection(this, body, items, seqMax);
  }

  peek(afterId: number, limit: number): OutboxEntry[] {
    const log = this.shared.log;
    let id = Math.max(afterId, this.deliveredUpTo) + 1;
    if (id > log.lastId || limit <= 0) return [];
    const fresh = this.fresh;
    if (
      this.freshFirst < fresh.length &&
      id >= fresh[this.freshFirst]!.id &&
      id <= fresh[fresh.length - 1]!.id
    ) {
      return this.peekFresh(id, limit);
    }
    let place: Place | undefined = this.cursor?.nextId === id ? this.cursor : log.locate(id);
    if (!place) {
      // Gone (dropped) or unreadable: continue with the first segment after it.
      const next = log.segments.find((s) => s.baseId > id);
      if (!next) return [];
      for (; id < next.baseId; id++) this.skip(id);
      place = { seg: next, offset: 0 };
    }
    const out: OutboxEntry[] = [];
    let { seg, offset } = place;
    for (;;) {
      const end = scanRecords(
        log.readFdOf(seg),
        offset,
        seg.size,
        (r) => {
          const ref = this.sectionIn(r.body, id);
          if (ref) {
            out.push({ id, body: r.body.toString("utf8", ref.start, ref.end), items: ref.items });
            this.known.set(id, { items: ref.items, bytes: ref.end - ref.start });
          } else {
            this.skip(id);
          }
          id++;
          return out.length < limit;
        },
        log.scratch,
      );
      offset = end;
      if (out.length >= limit) break;
      const segEnd = seg.baseId + seg.count;
      if (end < seg.size) {
        // A record that fails its CRC in the middle of the file: disk damage. Skip the rest of it.
        log.markDamaged(seg, end);
        for (; id < segEnd; id++) this.skip(id);
      }
      const next = log.segments[log.segments.indexOf(seg) + 1];
      if (!next) break;
      seg = next;
      offset = 0;
    }
    this.cursor = { nextId: id, seg, offset };
    this.settle();
    return out;
  }

  /** peek() from the records kept in memory, `id` being one of them. */
  private peekFresh(from: number, limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    const fresh = this.fresh;
    let i = this.freshFirst + (from - fresh[this.freshFirst]!.id);
    for (; i < fresh.length && out.length < limit; i++) {
      const f = fresh[i]!;
      if (f.text === undefined) {
        this.skip(f.id);
        continue;
      }
      out.push({ id: f.id, body: f.text, items: f.items });
      this.known.set(f.id, { items: f.items, bytes: f.bytes });
    }
    // Handed out: not kept any longer (a body held until its PUBACK would outlive a young-generation
    // GC for nothing). Peeked again only after redeliver(), which is rare: the files then.
    for (let j = this.freshFirst; j < i; j++) this.freshBytes -= fresh[j]!.bytes;
    this.freshFirst = i;
    // The file position of the next record is not tracked here: a later peek from the files locates it.
    this.cursor = undefined;
    this.settle();
    this.trimFresh();
    return out;
  }

  ack(ids: Iterable<number>): void {
    const lastId = this.shared.log.lastId;
    for (const id of ids) if (id > this.deliveredUpTo && id <= lastId) this.ackedAhead.add(id);
    if (this.settle()) this.shared.scheduleFlush();
  }

  depth(): number {
    return this.stats.items + this.stats.memoryItems + this.staged;
  }

  deliveredThrough(): number {
    return this.deliveredUpTo;
  }

  oldestAgeMs(): number {
    if (this.deliveredUpTo >= this.shared.log.lastId) return 0;
    try {
      const created = this.shared.log.createdMs(this.deliveredUpTo + 1);
      return created === undefined ? 0 : Math.max(0, this.shared.now() - created);
    } catch {
      return 0;
    }
  }

  lastSeq(): number {
    return this.shared.lastSeq();
  }

  flushAcks(): void {
    this.shared.flushAcks();
  }

  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onBackpressure(listener: (paused: boolean) => void): () => void {
    return this.shared.onBackpressure(listener);
  }

  // ——— bookkeeping, called by SharedOutbox ———

  /** At open: a record of the log, with this sink's section (items, bytes) or none. */
  recovered(id: number, seg: Segment, section: Known | undefined, delivered: number): void {
    if (!section) return;
    const share = seg.shares[this.index]!;
    share.items += section.items;
    share.bytes += section.bytes;
    if (id <= delivered) {
      share.deliveredItems += section.items;
      share.deliveredBytes += section.bytes;
    } else {
      this.stats.items += section.items;
      this.stats.bytes += section.bytes;
    }
  }

  /** At open, after the scan: where this sink stands. */
  startAt(delivered: number): void {
    const log = this.shared.log;
    const first = log.segments[0];
    this.deliveredUpTo = Math.min(log.lastId, Math.max(delivered, first ? first.baseId - 1 : log.lastId));
    this.stats.entries = log.lastId - this.deliveredUpTo;
  }

  /** Record `id` (at `place`, `bytes` long) reached the disk, with this sink's section or without. */
  written(id: number, place: Place, bytes: number, section: (Known & { text?: string }) | undefined): void {
    this.keepFresh(id, section);
    if (section) {
      const share = place.seg.shares[this.index]!;
      share.items += section.items;
      share.bytes += section.bytes;
      this.stats.items += section.items;
      this.stats.bytes += section.bytes;
    } else if (this.deliveredUpTo === id - 1 && this.ackedAhead.size === 0) {
      // Nothing here for this sink and it is caught up: step over it at once.
      this.deliveredUpTo = id;
      const c = this.cursor;
      if (c && c.nextId === id && c.seg === place.seg && c.offset === place.offset) {
        this.cursor = { nextId: id + 1, seg: c.seg, offset: c.offset + bytes };
      }
    }
    this.stats.entries = id - this.deliveredUpTo;
  }

  notifyAppended(): void {
    for (const l of [...this.listeners]) l();
  }

  /** A segment every sink has passed is deleted: settle the gauges of entries acked without a peek. */
  segmentDeleted(seg: Segment): void {
    const share = seg.shares[this.index]!;
    const missingItems = share.items - share.deliveredItems;
    const missingBytes = share.bytes - share.deliveredBytes;
    if (missingItems > 0 || missingBytes > 0) {
      this.stats.items -= missingItems;
      this.stats.bytes -= missingBytes;
      this.stats.delivered += missingItems;
    }
    if (this.cursor?.seg === seg) this.cursor = undefined;
  }

  /** drop-oldest deleted `seg` with whatever this sink had not delivered from it. Returns the items dropped. */
  segmentDropped(seg: Segment): number {
    const share = seg.shares[this.index]!;
    const items = share.items - share.deliveredItems;
    this.stats.items -= items;
    this.stats.bytes -= share.bytes - share.deliveredBytes;
    this.stats.dropped += items;
    const lastOfSeg = seg.baseId + seg.count - 1;
    for (const id of this.known.keys()) if (id <= lastOfSeg) this.known.delete(id);
    for (const id of this.ackedAhead) if (id <= lastOfSeg) this.ackedAhead.delete(id);
    this.deliveredUpTo = Math.max(this.deliveredUpTo, lastOfSeg);
    this.settle();
    this.trimFresh();
    this.stats.entries = this.shared.log.lastId - this.deliveredUpTo;
    if (this.cursor?.seg === seg) this.cursor = undefined;
    return items;
  }

  /** Close: forget read positions (the files are closed). */
  reset(): void {
    this.cursor = undefined;
    this.dropFresh();
  }

  private keepFresh(id: number, section: (Known & { text?: string }) | undefined): void {
    const last = this.fresh[this.fresh.length - 1];
    // A section without its text (an imported record), or a gap in the ids: from the files then.
    if ((section && section.text === undefined) || (last && last.id !== id - 1)) this.dropFresh();
    if (section && section.text === undefined) return;
    this.fresh.push({ id, text: section?.text, items: section?.items ?? 0, bytes: section?.bytes ?? 0 });
    this.freshBytes += section?.bytes ?? 0;
    this.trimFresh();
  }

  /** Forget what was delivered, and the oldest beyond the bounds (peek then reads those from the files). */
  private trimFresh(): void {
    const fresh = this.fresh;
    let first = this.freshFirst;
    while (
      first < fresh.length &&
      (fresh[first]!.id <= this.deliveredUpTo ||
        fresh.length - first > MAX_FRESH_RECORDS ||
        this.freshBytes > MAX_FRESH_BYTES)
    ) {
      this.freshBytes -= fresh[first]!.bytes;
      first++;
    }
    if (first === fresh.length) this.dropFresh();
    else if (first > 256 && first * 2 > fresh.length) {
      // Compact now and then instead of shift() per record.
      this.fresh = fresh.slice(first);
      this.freshFirst = 0;
    } else this.freshFirst = first;
  }

  private dropFresh(): void {
    this.fresh = [];
    this.freshFirst = 0;
    this.freshBytes = 0;
  }

  private sectionIn(body: Buffer, id: number): ReturnType<typeof sectionOf> {
    try {
      return sectionOf(body, this.name);
    } catch {
      this.shared.damagedRecord(id);
      return undefined;
    }
  }

  /** Nothing to deliver in record `id` for this sink: it counts as delivered. */
  private skip(id: number): void {
    if (id > this.deliveredUpTo) this.ackedAhead.add(id);
  }

  /** Move the delivered position over contiguous acks. True if it moved. */
  private settle(): boolean {
    const before = this.deliveredUpTo;
    while (this.ackedAhead.delete(this.deliveredUpTo + 1)) this.advance(this.deliveredUpTo + 1);
    return this.deliveredUpTo !== before;
  }

  private advance(id: number): void {
    this.deliveredUpTo = id;
    this.stats.entries = this.shared.log.lastId - id;
    const info = this.known.get(id);
    if (!info) return; // acked without peek (or no section): gauges catch up when its segment goes
    this.known.delete(id);
    const seg = this.shared.log.segmentOf(id);
    if (seg) {
      const share = seg.shares[this.index]!;
      share.deliveredItems += info.items;
      share.deliveredBytes += info.bytes;
    }
    this.stats.items -= info.items;
    this.stats.bytes -= info.bytes;
    this.stats.delivered += info.items;
  }
}
