import {
  closeSync,
  constants,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeSync,
  writevSync,
} from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { lockFolder } from "./folder-lock.ts";
import { outboxError } from "./outbox-errors.ts";
import {
  decodeHeader,
  decodePosition,
  encodeHeader,
  encodeSlot,
  HEADER_BYTES,
  type Position,
  scanRecords,
  scratchBuffer,
  slotOffset,
  truncateFile,
} from "./segment-file.ts";

/** What happens when the outbox holds `maxBytes`: see README.md. */
export type WhenFull = "pause" | "drop-oldest";

export type DurableOutboxOptions = {
  /** Folder of this outbox (segment files, state, lock); created if missing. */
  path: string;
  /** Which sink it serves ("mqtt", "influx"): logs and metrics. */
  name: string;
  /** Undelivered data kept at most, in bytes on disk. */
  maxBytes: number;
  whenFull: WhenFull;
  log: Logger;
  /**
   * "process" (default): an append survives a crash or SIGKILL of the gateway
   * (it is in the kernel's page cache when append returns). "power": also a
   * power cut (fdatasync per append: milliseconds each on most disks).
   */
  durability?: "process" | "power";
  /** Segment file size; whole segments are deleted once delivered. Default maxBytes/16, 64 KiB–64 MiB. */
  segmentBytes?: number;
  /** pause policy: data still accepted after pausing (it was already on its way). Default maxBytes/10, at most 64 MiB. */
  headroomBytes?: number;
  /** pause policy: resume below this share of maxBytes. Default 0.9. */
  resumeRatio?: number;
  /** The delivered position is saved at most this often. Default 100 ms. */
  ackFlushMs?: number;
  /** While the disk refuses writes, keep at most this much in memory (then refuse, counted). Default 64 MiB. */
  maxMemoryBytes?: number;
  now?: () => number;
};

export type OutboxEntry = {
  id: number;
  /** The sink's own encoding of a batch (MQTT messages, Influx points). */
  body: string;
  /** Observations/events/messages in the body (for counting). */
  items: number;
};

/** Counters and gauges of one outbox (exported as maskinport_outbox_* metrics). */
export type OutboxStats = {
  /** Gauges: undelivered data on disk. */
  entries: number;
  items: number;
  bytes: number;
  /** Counters (items): accepted, delivered (acknowledged), dropped (drop-oldest), rejected (refused). */
  appended: number;
  delivered: number;
  dropped: number;
  rejected: number;
  /** Failed disk writes (the data is kept in memory and retried). */
  writeErrors: number;
  /** Items waiting in memory because the disk refused them. */
  memoryItems: number;
  /** pause policy: true while intake should stop. */
  paused: boolean;
  /** Times the outbox reached maxBytes. */
  fullEpisodes: number;
};

type Segment = {
  baseId: number;
  file: string;
  count: number;
  items: number;
  size: number;
  /** Record offsets every INDEX_EVERY records, to find an id without reading the whole file. */
  index: number[];
  /** Of this segment, already delivered: */
  deliveredItems: number;
  deliveredBytes: number;
  readFd?: number;
};

type Spilled = { body: Buffer; items: number; seqMax: number | undefined; created: number };
type Known = { items: number; bytes: number };

const INDEX_EVERY = 256;
const MiB = 1024 * 1024;

/**
 * A durable FIFO of batches in append-only segment files: the store-and-forward
 * part of every sink that leaves the process (DESIGN.md). `append` has written
 * the batch to the file when it returns, so whatever a sink accepted survives
 * a crash; the sink `ack`s an entry only after the broker or database
 * confirmed it; a restarted gateway delivers what is left. One global order
 * (entry ids) keeps every machine's data in order. At-least-once: an entry
 * whose confirmation was lost is delivered again; the observations' `seq`
 * identifies duplicates. README.md says why segments and not SQLite.
 */
export class DurableOutbox {
  readonly name: string;
  readonly path: string;
  readonly stats: OutboxStats = {
    entries: 0,
    items: 0,
    bytes: 0,
    appended: 0,
    delivered: 0,
    dropped: 0,
    rejected: 0,
    writeErrors: 0,
    memoryItems: 0,
    paused: false,
    fullEpisodes: 0,
  };

  private readonly opts: DurableOutboxOptions;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly headroom: number;
  private readonly segmentBytes: number;
  private readonly header = Buffer.allocUnsafe(HEADER_BYTES);
  private readonly scratch = scratchBuffer();
  private positionFd: number | undefined;
  private positionSlot: 0 | 1 = 0;
  private segments: Segment[] = [];
  private writeFd: number | undefined;
  private unlock: (() => void) | undefined;
  private lastId = 0;
  private lastSeqSeen = 0;
  /** Every id ≤ deliveredUpTo is delivered (or dropped). */
  private deliveredUpTo = 0;
  private savedDelivered = -1;
  private readonly ackedAhead = new Set<number>();
  /** Entries handed out by peek and not yet delivered: their size, for the gauges. */
  private readonly known = new Map<number, Known>();
  /** Where the next sequential peek continues. */
  private cursor: { nextId: number; seg: Segment; offset: number } | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private spill: Spilled[] = [];
  private spillBytes = 0;
  private failing = false;
  private dropLoggedAt = 0;
  private droppedSinceLog = 0;
  private rejectLogged = false;
  private readonly listeners = new Set<(paused: boolean) => void>();

  constructor(opts: DurableOutboxOptions) {
    if (!(opts.maxBytes > 0)) throw new Error(`outbox ${opts.name}: maxBytes must be positive`);
    this.opts = opts;
    this.name = opts.name;
    this.path = opts.path;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.headroom = opts.headroomBytes ?? Math.min(Math.floor(opts.maxBytes / 10), 64 * MiB);
    this.segmentBytes =
      opts.segmentBytes ?? Math.min(64 * MiB, Math.max(64 * 1024, Math.floor(opts.maxBytes / 16)));
  }

  /** Open (or create) the folder and load what an earlier run left undelivered. Throws a readable error. */
  open(): void {
    try {
      mkdirSync(this.path, { recursive: true });
      this.unlock = lockFolder(join(this.path, "lock"), `outbox ${this.path}`);
    } catch (err) {
      if (err instanceof Error && err.message.includes(" is in use by another ")) throw err;
      throw outboxError("open", this.path, err);
    }
    try {
      this.recover();
      this.openForAppend();
    } catch (err) {
      this.closeFiles();
      throw outboxError("open", this.path, err);
    }
    if (this.stats.entries > 0) {
      this.log.info(
        { outbox: this.name, path: this.path, entries: this.stats.entries, items: this.stats.items },
        "outbox has undelivered data from an earlier run; delivering it first",
      );
    }
    this.updatePaused();
  }

  /**
   * Store one batch; on disk when this returns true. False means refused
   * (pause policy past the headroom, or the disk refuses and the memory
   * reserve is full): counted in `rejected` and logged. A disk error keeps the
   * batch in memory and retries (logged once per outage).
   */
  append(body: string, items: number, seqMax?: number): boolean {
    if (!this.unlock) {
      throw new Error(`outbox ${this.name} is not open (call open() first)`);
    }
    const buf = Buffer.from(body, "utf8");
    if (!this.makeRoom(HEADER_BYTES + buf.length, items)) return false;
    if (seqMax !== undefined && seqMax > this.lastSeqSeen) this.lastSeqSeen = seqMax;
    const record: Spilled = { body: buf, items, seqMax, created: this.now() };
    if ((this.spill.length > 0 && !this.writeSpill()) || !this.write(record))
      return this.keepInMemory(record);
    this.stats.appended += items;
    return true;
  }

  /** Entries after `afterId`, oldest first. Pass the last id you were given, or 0 for the oldest undelivered. */
  peek(afterId: number, limit: number): OutboxEntry[] {
    const from = Math.max(afterId, this.deliveredUpTo) + 1;
    if (from > this.lastId || limit <= 0) return [];
    const position = this.cursor?.nextId === from ? this.cursor : this.locate(from);
    if (!position) return [];
    const out: OutboxEntry[] = [];
    let { seg, offset } = position;
    let id = from;
    for (;;) {
      const fd = this.readFdOf(seg);
      const firstId = id;
      const end = scanRecords(
        fd,
        offset,
        seg.size,
        (r) => {
          out.push({ id, body: r.body.toString("utf8"), items: r.items });
          this.known.set(id, { items: r.items, bytes: HEADER_BYTES + r.bodyBytes });
          id++;
          return out.length < limit;
        },
        this.scratch,
      );
      if (id === firstId && end < seg.size) {
        // A record that fails its CRC in the middle of the file: disk damage. Skip the rest of it.
        this.skipDamaged(seg, end);
      }
      offset = end;
      if (out.length >= limit) break;
      const next = this.segments[this.segments.indexOf(seg) + 1];
      if (!next) break;
      seg = next;
      offset = 0;
    }
    this.cursor = { nextId: id, seg, offset };
    return out;
  }

  /** The broker/database confirmed these entries: they count as delivered; files go once fully delivered. */
  ack(ids: Iterable<number>): void {
    for (const id of ids) if (id > this.deliveredUpTo && id <= this.lastId) this.ackedAhead.add(id);
    while (this.ackedAhead.delete(this.deliveredUpTo + 1)) this.advanceDelivered(this.deliveredUpTo + 1);
    if (this.deliveredUpTo !== this.savedDelivered && !this.ackTimer) {
      this.ackTimer = setTimeout(() => {
        this.ackTimer = undefined;
        this.flushAcks();
      }, this.opts.ackFlushMs ?? 100);
      this.ackTimer.unref();
    }
  }

  /** Undelivered items (on disk and in memory). */
  depth(): number {
    return this.stats.items + this.stats.memoryItems;
  }

  /** Highest observation seq ever appended (a restarted pipeline continues after it). */
  lastSeq(): number {
    return this.lastSeqSeen;
  }

  /** Everything up to this id is delivered: a consumer that lost track starts again after it. */
  deliveredThrough(): number {
    return this.deliveredUpTo;
  }

  /** Age of the oldest undelivered entry in ms (0 when empty). Second resolution. */
  oldestAgeMs(): number {
    if (this.deliveredUpTo >= this.lastId) return 0;
    const position = this.locate(this.deliveredUpTo + 1);
    if (!position) return 0;
    const buf = Buffer.allocUnsafe(HEADER_BYTES);
    try {
      const got = readSyncAt(this.readFdOf(position.seg), buf, position.offset);
      const h = got === HEADER_BYTES ? decodeHeader(buf, 0) : undefined;
      return h ? Math.max(0, this.now() - h.createdMs) : 0;
    } catch {
      return 0;
    }
  }

  /** Called with true when intake should pause (pause policy, full) and false when it may resume. */
  onBackpressure(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Save the delivered position and delete delivered segment files now (the ack timer does this on its own). */
  flushAcks(): void {
    if (this.deliveredUpTo === this.savedDelivered || !this.unlock) return;
    try {
      this.saveState();
    } catch (err) {
      // Not fatal: the data is delivered again after a restart (at-least-once).
      this.stats.writeErrors++;
      this.log.warn(
        { outbox: this.name, error: outboxError("save the position of", this.path, err).message },
        "outbox position not saved",
      );
      return;
    }
    this.deleteDelivered();
    this.updatePaused();
  }

  /** Save the position and close the files; undelivered data stays for the next start. */
  close(): void {
    clearTimeout(this.ackTimer);
    clearTimeout(this.retryTimer);
    this.ackTimer = undefined;
    this.retryTimer = undefined;
    if (!this.unlock) return;
    this.flushAcks();
    if (this.spill.length > 0 && !this.writeSpill()) {
      this.log.error(
        { outbox: this.name, path: this.path, items: this.stats.memoryItems },
        "outbox closed while the disk refused writes: these items are lost",
      );
    }
    this.closeFiles();
  }

  // ——— recovery ———

  private recover(): void {
    const saved = this.readState();
    const files = readdirSync(this.path)
      .filter((f) => /^\d{16}\.seg$/.test(f))
      .sort();
    this.lastId = saved.lastId;
    this.lastSeqSeen = saved.lastSeq;
    for (const [i, f] of files.entries()) {
      const seg = this.scanSegment(
        join(this.path, f),
        Number(f.slice(0, 16)),
        saved.delivered,
        i === files.length - 1,
      );
      if (seg.count === 0 && i < files.length - 1) {
        unlinkSync(seg.file);
        continue;
      }
      this.segments.push(seg);
      if (seg.count > 0) this.lastId = Math.max(this.lastId, seg.baseId + seg.count - 1);
    }
    const first = this.segments[0];
    this.deliveredUpTo = Math.min(
      this.lastId,
      Math.max(saved.delivered, first ? first.baseId - 1 : this.lastId),
    );
    this.savedDelivered = saved.delivered;
    this.stats.entries = this.lastId - this.deliveredUpTo;
    this.deleteDelivered();
  }

  private scanSegment(file: string, baseId: number, delivered: number, last: boolean): Segment {
    const seg: Segment = {
      baseId,
      file,
      count: 0,
      items: 0,
      size: 0,
      index: [],
      deliveredItems: 0,
      deliveredBytes: 0,
    };
    const fd = openSync(file, "r");
    let fileSize: number;
    let end: number;
    try {
      fileSize = fstatSync(fd).size;
      end = scanRecords(
        fd,
        0,
        fileSize,
        (r) => {
          const id = baseId + seg.count;
          if (seg.count % INDEX_EVERY === 0) seg.index.push(r.offset);
          const bytes = HEADER_BYTES + r.bodyBytes;
          seg.count++;
          seg.items += r.items;
          if (id <= delivered) {
            seg.deliveredItems += r.items;
            seg.deliveredBytes += bytes;
          } else {
            this.stats.items += r.items;
            this.stats.bytes += bytes;
          }
          if (r.seqMax !== undefined && r.seqMax > this.lastSeqSeen) this.lastSeqSeen = r.seqMax;
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

  private readState(): Position {
    const file = join(this.path, "position");
    let content: Buffer;
    try {
      content = readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { delivered: 0, lastId: 0, lastSeq: 0 };
      throw err;
    }
    const position = decodePosition(content);
    if (position) return position;
    this.log.warn(
      { outbox: this.name, file },
      "outbox position unreadable; delivering everything in the folder again",
    );
    return { delivered: 0, lastId: 0, lastSeq: 0 };
  }

  private saveState(): void {
    const position: Position = {
      delivered: this.deliveredUpTo,
      lastId: this.lastId,
      lastSeq: this.lastSeqSeen,
    };
    if (this.positionFd === undefined) {
      this.positionFd = openSync(join(this.path, "position"), constants.O_RDWR | constants.O_CREAT, 0o644);
    }
    const slot = encodeSlot(position);
    // In place, alternating slots (see segment-file.ts): one small write, no rename.
    writeSync(this.positionFd, slot, 0, slot.length, slotOffset(this.positionSlot));
    this.positionSlot = this.positionSlot === 0 ? 1 : 0;
    this.savedDelivered = position.delivered;
  }

  // ——— appending ———

  private openForAppend(): void {
    const last = this.segments.at(-1);
    if (last && last.size < this.segmentBytes) {
      this.writeFd = openSync(last.file, "a");
      return;
    }
    this.startSegment();
  }

  private startSegment(): void {
    if (this.writeFd !== undefined) closeSync(this.writeFd);
    this.writeFd = undefined;
    const baseId = this.lastId + 1;
    const file = join(this.path, `${String(baseId).padStart(16, "0")}.seg`);
    this.writeFd = openSync(file, "a");
    this.segments.push({
      baseId,
      file,
      count: 0,
      items: 0,
      size: 0,
      index: [],
      deliveredItems: 0,
      deliveredBytes: 0,
    });
  }

  /** One writev of header + body. False (and the file cut back) if the disk refused it. */
  private write(r: Spilled): boolean {
    try {
      let seg = this.segments.at(-1);
      if (!seg || this.writeFd === undefined || seg.size >= this.segmentBytes) {
        this.startSegment();
        seg = this.segments.at(-1)!;
      }
      encodeHeader(this.header, r.body, r.items, r.seqMax, r.created);
      const want = HEADER_BYTES + r.body.length;
      const wrote = writevSync(this.writeFd!, [this.header, r.body]);
      if (wrote !== want) {
        ftruncateSync(this.writeFd!, seg.size);
        throw Object.assign(new Error(`short write (${wrote} of ${want} bytes)`), { code: "ENOSPC" });
      }
      if (this.opts.durability === "power") fdatasyncSync(this.writeFd!);
      if (seg.count % INDEX_EVERY === 0) seg.index.push(seg.size);
      seg.count++;
      seg.items += r.items;
      seg.size += want;
      this.lastId++;
      this.stats.entries = this.lastId - this.deliveredUpTo;
      this.stats.items += r.items;
      this.stats.bytes += want;
    } catch (err) {
      this.stats.writeErrors++;
      if (!this.failing) {
        this.failing = true;
        this.log.error(
          { outbox: this.name, error: outboxError("write to", this.path, err).message },
          "outbox write failed; keeping data in memory and retrying",
        );
      }
      return false;
    }
    if (this.failing) {
      this.failing = false;
      this.log.info({ outbox: this.name, path: this.path }, "outbox writes recovered");
    }
    return true;
  }

  private keepInMemory(r: Spilled): boolean {
    if (this.spillBytes + r.body.length > (this.opts.maxMemoryBytes ?? 64 * MiB)) {
      this.reject(r.items, "the disk refuses writes and the memory reserve is full");
      return false;
    }
    this.spill.push(r);
    this.spillBytes += r.body.length;
    this.stats.memoryItems += r.items;
    this.stats.appended += r.items;
    if (!this.retryTimer) this.retryLater();
    return true;
  }

  private retryLater(): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.spill.length > 0 && !this.writeSpill() && this.unlock) this.retryLater();
    }, 1000);
    this.retryTimer.unref();
  }

  /** Move what the disk refused earlier onto it, in order. False if it still refuses. */
  private writeSpill(): boolean {
    while (this.spill.length > 0) {
      const r = this.spill[0]!;
      if (!this.write(r)) return false;
      this.spill.shift();
      this.spillBytes -= r.body.length;
      this.stats.memoryItems -= r.items;
    }
    return true;
  }

  // ——— the policy when full ———

  /** Apply the policy for a record of `bytes`. False = refuse it. */
  private makeRoom(bytes: number, items: number): boolean {
    const max = this.opts.maxBytes;
    if (this.stats.bytes + bytes <= max) return true;
    if (this.opts.whenFull === "drop-oldest") {
      this.flushAcks();
      this.dropOldest(this.stats.bytes + bytes - max);
      return true;
    }
    if (!this.stats.paused) this.updatePaused(true);
    if (this.stats.bytes + bytes <= max + this.headroom) return true;
    this.reject(items, `outbox.maxBytes (${max} bytes) and the headroom are used up while paused`);
    return false;
  }

  private reject(items: number, why: string): void {
    this.stats.rejected += items;
    if (!this.rejectLogged) {
      this.rejectLogged = true;
      this.log.error(
        { outbox: this.name, why },
        "outbox full: refusing new data for this sink (counted in maskinport_outbox_rejected_items_total)",
      );
    }
  }

  /** drop-oldest: delete whole oldest segments until `need` bytes are free (the one being written is closed first). */
  private dropOldest(need: number): void {
    let freed = 0;
    let items = 0;
    while (freed < need && this.segments.length > 0) {
      const seg = this.segments[0]!;
      if (seg === this.segments.at(-1)) {
        if (seg.count === 0) break;
        this.startSegment();
      }
      const pendingItems = seg.items - seg.deliveredItems;
      const pendingBytes = seg.size - seg.deliveredBytes;
      this.removeSegment(seg);
      const lastOfSeg = seg.baseId + seg.count - 1;
      for (let id = Math.max(this.deliveredUpTo + 1, seg.baseId); id <= lastOfSeg; id++)
        this.known.delete(id);
      for (const id of this.ackedAhead) if (id <= lastOfSeg) this.ackedAhead.delete(id);
      this.deliveredUpTo = Math.max(this.deliveredUpTo, lastOfSeg);
      freed += pendingBytes;
      items += pendingItems;
    }
    while (this.ackedAhead.delete(this.deliveredUpTo + 1)) this.advanceDelivered(this.deliveredUpTo + 1);
    this.stats.entries = this.lastId - this.deliveredUpTo;
    this.stats.items -= items;
    this.stats.bytes -= freed;
    this.stats.dropped += items;
    this.droppedSinceLog += items;
    try {
      this.saveState();
    } catch {
      // the next flush saves it
    }
    const now = this.now();
    // Never silent, never a line per batch: the first drop of an episode, then a summary every 10 s.
    if (this.dropLoggedAt === 0 || now - this.dropLoggedAt >= 10_000) {
      if (this.dropLoggedAt === 0) this.stats.fullEpisodes++;
      this.log.warn(
        {
          outbox: this.name,
          dropped: this.droppedSinceLog,
          totalDropped: this.stats.dropped,
          maxBytes: this.opts.maxBytes,
        },
        "outbox full: dropped the oldest undelivered data (whenFull: drop-oldest)",
      );
      this.dropLoggedAt = now;
      this.droppedSinceLog = 0;
    }
  }

  private updatePaused(full?: boolean): void {
    const max = this.opts.maxBytes;
    const roomAgain = this.stats.bytes <= max * (this.opts.resumeRatio ?? 0.9);
    if (this.opts.whenFull === "drop-oldest") {
      if (this.dropLoggedAt !== 0 && roomAgain) {
        this.dropLoggedAt = 0;
        this.droppedSinceLog = 0;
      }
      return;
    }
    const shouldPause = full === true || this.stats.bytes >= max;
    if (shouldPause && !this.stats.paused) {
      this.stats.paused = true;
      this.stats.fullEpisodes++;
      this.log.warn(
        { outbox: this.name, bytes: this.stats.bytes, maxBytes: max },
        "outbox full: pausing intake until deliveries make room (whenFull: pause)",
      );
      for (const l of this.listeners) l(true);
    } else if (this.stats.paused && roomAgain && !shouldPause) {
      this.stats.paused = false;
      this.rejectLogged = false;
      this.log.info({ outbox: this.name, bytes: this.stats.bytes }, "outbox has room again; resuming intake");
      for (const l of this.listeners) l(false);
    }
  }

  // ——— delivered bookkeeping ———

  private advanceDelivered(id: number): void {
    this.deliveredUpTo = id;
    this.stats.entries = this.lastId - id;
    const info = this.known.get(id);
    if (!info) return; // acked without peek: gauges catch up when its segment goes
    this.known.delete(id);
    const seg = this.segmentOf(id);
    if (seg) {
      seg.deliveredItems += info.items;
      seg.deliveredBytes += info.bytes;
    }
    this.stats.items -= info.items;
    this.stats.bytes -= info.bytes;
    this.stats.delivered += info.items;
  }

  /** Delete segment files whose every entry is delivered (never the one being written). */
  private deleteDelivered(): void {
    while (this.segments.length > 1) {
      const seg = this.segments[0]!;
      const lastOfSeg = seg.baseId + seg.count - 1;
      if (lastOfSeg > this.deliveredUpTo) break;
      // Gauges for entries acknowledged without a peek (e.g. delivered in an earlier run).
      const missingItems = seg.items - seg.deliveredItems;
      if (missingItems > 0 || seg.size > seg.deliveredBytes) {
        this.stats.items -= missingItems;
        this.stats.bytes -= seg.size - seg.deliveredBytes;
        this.stats.delivered += missingItems;
      }
      this.removeSegment(seg);
    }
    const only = this.segments[0];
    if (
      only &&
      this.segments.length === 1 &&
      only.count > 0 &&
      only.baseId + only.count - 1 <= this.deliveredUpTo
    ) {
      // All delivered and nothing else to read: start a fresh file so the old one can go.
      if (only.size >= this.segmentBytes / 4 && this.writeFd !== undefined) {
        this.startSegment();
        this.deleteDelivered();
      }
    }
  }

  private removeSegment(seg: Segment): void {
    if (seg.readFd !== undefined) closeSync(seg.readFd);
    seg.readFd = undefined;
    unlinkSync(seg.file);
    this.segments.splice(this.segments.indexOf(seg), 1);
    if (this.cursor?.seg === seg) this.cursor = undefined;
  }

  private segmentOf(id: number): Segment | undefined {
    for (const seg of this.segments) if (id >= seg.baseId && id < seg.baseId + seg.count) return seg;
    return undefined;
  }

  /** File position of entry `id`: nearest index point, then record by record. */
  private locate(id: number): { seg: Segment; offset: number } | undefined {
    const seg = this.segmentOf(id);
    if (!seg) return undefined;
    const k = Math.floor((id - seg.baseId) / INDEX_EVERY);
    let offset = seg.index[k] ?? 0;
    let at = seg.baseId + k * INDEX_EVERY;
    const fd = this.readFdOf(seg);
    const buf = Buffer.allocUnsafe(HEADER_BYTES);
    while (at < id) {
      if (readSyncAt(fd, buf, offset) !== HEADER_BYTES) return undefined;
      const h = decodeHeader(buf, 0);
      if (!h) return undefined;
      offset += HEADER_BYTES + h.bodyBytes;
      at++;
    }
    return { seg, offset };
  }

  private skipDamaged(seg: Segment, at: number): void {
    this.log.error(
      { outbox: this.name, file: seg.file, offset: at },
      "outbox: damaged record while reading; the rest of this segment is skipped",
    );
    const lastOfSeg = seg.baseId + seg.count - 1;
    for (let id = this.deliveredUpTo + 1; id <= lastOfSeg; id++) this.ackedAhead.add(id);
    seg.size = at;
  }

  private readFdOf(seg: Segment): number {
    if (seg.readFd === undefined) seg.readFd = openSync(seg.file, "r");
    return seg.readFd;
  }

  private closeFiles(): void {
    for (const seg of this.segments) {
      if (seg.readFd !== undefined) closeSync(seg.readFd);
      seg.readFd = undefined;
    }
    if (this.writeFd !== undefined) closeSync(this.writeFd);
    if (this.positionFd !== undefined) closeSync(this.positionFd);
    this.writeFd = undefined;
    this.positionFd = undefined;
    this.segments = [];
    this.cursor = undefined;
    this.unlock?.();
    this.unlock = undefined;
  }
}

function readSyncAt(fd: number, buf: Buffer, position: number): number {
  return readSync(fd, buf, 0, buf.length, position);
}
