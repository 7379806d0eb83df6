import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { CursorFile } from "./cursor-file.ts";
import { lockFolder } from "./folder-lock.ts";
import { FullPolicy } from "./full-policy.ts";
import { importLegacyFolders } from "./legacy-import.ts";
import { outboxError } from "./outbox-errors.ts";
import type { WhenFull } from "./outbox-types.ts";
import type { SectionInput } from "./record-sections.ts";
import { type PendingRecord, RecordWriter } from "./record-writer.ts";
import { loadLog } from "./recovery.ts";
import { deleteDelivered, dropOldest } from "./retention.ts";
import { HEADER_BYTES } from "./segment-file.ts";
import { SegmentLog } from "./segment-log.ts";
import { SinkOutbox } from "./sink-outbox.ts";

export type SharedOutboxOptions = {
  /** Folder of the log (segment files, cursors, lock); created if missing. */
  path: string;
  /** The sinks that take part, in a fixed order ("mqtt", "influx"). */
  sinks: readonly string[];
  /** For logs. Default: the sink names joined by "+". */
  name?: string;
  /** Undelivered data kept at most, in bytes on disk (the whole log). */
  maxBytes: number;
  whenFull: WhenFull;
  log: Logger;
  /**
   * "process" (default): an append survives a crash or SIGKILL of the gateway
   * (it is in the kernel's page cache when the write returns). "power": also
   * a power cut (fdatasync per record: milliseconds each on most disks).
   */
  durability?: "process" | "power";
  /** Segment file size; whole segments are deleted once delivered. Default maxBytes/16, 64 KiB–64 MiB. */
  segmentBytes?: number;
  /** pause policy: data still accepted after pausing (it was already on its way). Default maxBytes/10, at most 64 MiB. */
  headroomBytes?: number;
  /** pause policy: resume below this share of maxBytes. Default 0.9. */
  resumeRatio?: number;
  /** The delivered positions are saved at most this often. Default 100 ms. */
  ackFlushMs?: number;
  /** While the disk refuses writes, keep at most this much in memory (then refuse, counted). Default 64 MiB. */
  maxMemoryBytes?: number;
  /** Import undelivered entries of the per-sink folders (outbox.path/<sink>/) of the earlier layout. Default true. */
  importLegacy?: boolean;
  now?: () => number;
};

const MiB = 1024 * 1024;

/**
 * The durable outbox of every sink that leaves the process, as ONE log: a
 * record per pipeline batch holds each sink's own encoding of it (a section),
 * written with one writev, so a crash at any instant leaves the batch with
 * every sink or with none. Each sink reads and acknowledges through its view
 * (`sink(name)`: peek / ack / depth) with its own delivered position; a
 * segment file is deleted once every sink has passed it. The size bound and
 * the policy when full apply to the log. README.md says why.
 */
export class SharedOutbox {
  readonly name: string;
  readonly path: string;
  readonly log: SegmentLog;
  readonly now: () => number;
  private readonly opts: SharedOutboxOptions;
  private readonly logger: Logger;
  private readonly views: SinkOutbox[];
  private readonly policy: FullPolicy;
  private readonly cursors: CursorFile;
  private unlock: (() => void) | undefined;
  private lastSeqSeen = 0;
  private savedKey = "";
  private batchDepth = 0;
  private staged: PendingRecord | undefined;
  private readonly writer: RecordWriter;
  private readonly segmentBytes: number;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly damagedIds = new Set<number>();

  constructor(opts: SharedOutboxOptions) {
    if (!(opts.maxBytes > 0)) throw new Error(`outbox ${opts.path}: maxBytes must be positive`);
    if (opts.sinks.length === 0 || new Set(opts.sinks).size !== opts.sinks.length) {
      throw new Error(`outbox ${opts.path}: give one or more distinct sink names`);
    }
    this.opts = opts;
    this.name = opts.name ?? opts.sinks.join("+");
    this.path = opts.path;
    this.logger = opts.log;
    this.now = opts.now ?? Date.now;
    this.views = opts.sinks.map((s, i) => new SinkOutbox(this, s, i));
    this.segmentBytes =
      opts.segmentBytes ?? Math.min(64 * MiB, Math.max(64 * 1024, Math.floor(opts.maxBytes / 16)));
    this.log = new SegmentLog({
      path: opts.path,
      name: this.name,
      segmentBytes: this.segmentBytes,
      sinkCount: opts.sinks.length,
      durability: opts.durability ?? "process",
      log: opts.log,
    });
    this.policy = new FullPolicy({
      name: this.name,
      maxBytes: opts.maxBytes,
      whenFull: opts.whenFull,
      headroomBytes: opts.headroomBytes ?? Math.min(Math.floor(opts.maxBytes / 10), 64 * MiB),
      resumeRatio: opts.resumeRatio ?? 0.9,
      log: opts.log,
      now: this.now,
      onChange: () => {
        for (const v of this.views) {
          v.stats.paused = this.policy.paused;
          v.stats.fullEpisodes = this.policy.fullEpisodes;
        }
      },
    });
    this.writer = new RecordWriter({
      log: this.log,
      views: this.views,
      logger: opts.log,
      name: this.name,
      path: opts.path,
      maxMemoryBytes: opts.maxMemoryBytes ?? 64 * MiB,
    });
    this.cursors = new CursorFile(join(opts.path, "cursors"));
  }

  /** The view of one member sink. */
  sink(name: string): SinkOutbox {
    const view = this.views.find((v) => v.name === name);
    if (!view)
      throw new Error(`outbox ${this.path} has no sink "${name}" (members: ${this.opts.sinks.join(", ")})`);
    return view;
  }

  members(): readonly SinkOutbox[] {
    return this.views;
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
      this.log.openForAppend();
      if (this.opts.importLegacy !== false) {
        importLegacyFolders({
          path: this.path,
          sinks: this.opts.sinks,
          log: this.logger,
          write: (sink, entry) => this.importRecord(sink, entry),
          commit: (written, lastSeq) => {
            this.log.syncSegments(written);
            if (lastSeq > this.lastSeqSeen) this.lastSeqSeen = lastSeq;
            this.saveCursors(true);
          },
        });
      }
    } catch (err) {
      this.closeFiles();
      if (err instanceof Error && err.message.includes(" is in use by another ")) throw err;
      throw outboxError("open", this.path, err);
    }
    for (const v of this.views) {
      if (v.stats.entries > 0 && v.stats.items > 0) {
        this.logger.info(
          {
            outbox: this.name,
            sink: v.name,
            path: this.path,
            entries: v.stats.entries,
            items: v.stats.items,
          },
          "outbox has undelivered data from an earlier run; delivering it first",
        );
      }
    }
    this.policy.update(this.log.size);
  }

  /**
   * Everything sinks append inside `fn` becomes ONE record (one write): the
   * gateway hands a pipeline output to every outboxed sink this way.
   */
  batch<T>(fn: () => T): T {
    this.beginBatch();
    try {
      return fn();
    } finally {
      this.commitBatch();
    }
  }

  private beginBatch(): void {
    this.batchDepth++;
  }

  private commitBatch(): void {
    if (this.batchDepth === 0 || --this.batchDepth > 0) return;
    const staged = this.staged;
    this.staged = undefined;
    if (staged && !staged.refused) this.commit(staged);
  }

  /** SinkOutbox.append: a section of the batch being assembled, or a record of its own outside a batch. */
  appendSection(view: SinkOutbox, body: string, items: number, seqMax: number | undefined): boolean {
    if (!this.unlock) throw new Error(`outbox ${this.path} is not open (call open() first)`);
    const section: SectionInput = { sink: view.name, items, body: Buffer.from(body, "utf8"), text: body };
    // Its line in the section table, then its body.
    const sectionBytes = 1 + view.name.length + 8 + section.body.length;
    let staged = this.staged;
    if (staged?.sections.some((s) => s.sink === view.name)) {
      // A sink appending twice in one batch: one section per sink and record, so close this record.
      this.staged = undefined;
      if (!staged.refused) this.commit(staged);
      staged = undefined;
    }
    if (!staged) {
      // Header and the table's count byte; the whole batch is taken or refused on its first section.
      staged = {
        sections: [],
        seqMax: undefined,
        created: this.now(),
        refused: false,
        bytes: HEADER_BYTES + 1,
      };
      staged.refused = !this.admits(staged.bytes + sectionBytes);
      if (this.batchDepth > 0) this.staged = staged;
    }
    if (staged.refused) {
      view.stats.rejected += items;
      return false;
    }
    staged.sections.push(section);
    staged.bytes += sectionBytes;
    if (seqMax !== undefined && (staged.seqMax === undefined || seqMax > staged.seqMax))
      staged.seqMax = seqMax;
    if (this.batchDepth > 0) {
      view.staged += items;
      return true;
    }
    this.commit(staged);
    return true;
  }

  /** Highest observation seq ever appended (a restarted pipeline continues after it). */
  lastSeq(): number {
    return this.lastSeqSeen;
  }

  /** Called with true when intake should pause (pause policy, full) and false when it may resume. */
  onBackpressure(listener: (paused: boolean) => void): () => void {
    return this.policy.onBackpressure(listener);
  }

  get paused(): boolean {
    return this.policy.paused;
  }

  /** Bytes of the log's segment files (what maxBytes bounds). */
  diskBytes(): number {
    return this.log.size;
  }

  /** Save the delivered positions and delete segment files every sink has passed. */
  flushAcks(): void {
    if (!this.unlock || this.deliveredKey() === this.savedKey) return;
    try {
      this.saveCursors(false);
    } catch (err) {
      // Not fatal: the data is delivered again after a restart (at-least-once).
      for (const v of this.views) v.stats.writeErrors++;
      this.logger.warn(
        { outbox: this.name, error: outboxError("save the position of", this.path, err).message },
        "outbox position not saved",
      );
      return;
    }
    this.deleteDelivered();
    this.policy.update(this.log.size);
  }

  /** A view's position moved: save it soon (at most every ackFlushMs). */
  scheduleFlush(): void {
    if (this.flushTimer || !this.unlock) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushAcks();
    }, this.opts.ackFlushMs ?? 100);
    this.flushTimer.unref();
  }

  /** Save the positions and close the files; undelivered data stays for the next start. */
  close(): void {
    clearTimeout(this.flushTimer);
    this.writer.stop();
    this.flushTimer = undefined;
    if (!this.unlock) return;
    if (this.staged) {
      this.batchDepth = 0;
      this.commitBatch();
    }
    this.flushAcks();
    if (!this.writer.writeSpill()) {
      this.logger.error(
        { outbox: this.name, path: this.path, items: this.writer.spilledItems() },
        "outbox closed while the disk refused writes: these items are lost",
      );
    }
    this.closeFiles();
  }

  /** A record whose section table is unreadable (damage): logged once per record. */
  damagedRecord(id: number): void {
    if (this.damagedIds.has(id)) return;
    this.damagedIds.add(id);
    this.logger.error({ outbox: this.name, id }, "outbox: damaged record (section table); skipped");
  }

  // ——— recovery ———

  private recover(): void {
    this.lastSeqSeen = loadLog({
      log: this.log,
      views: this.views,
      cursors: this.cursors,
      logger: this.logger,
      name: this.name,
      damaged: (id) => this.damagedRecord(id),
    }).lastSeq;
    this.savedKey = this.deliveredKey();
    this.deleteDelivered();
  }

  private importRecord(
    sink: string,
    entry: { body: Buffer; items: number; seqMax: number | undefined; createdMs: number },
  ) {
    const view = this.sink(sink);
    if (entry.seqMax !== undefined && entry.seqMax > this.lastSeqSeen) this.lastSeqSeen = entry.seqMax;
    const record: PendingRecord = {
      sections: [{ sink, items: entry.items, body: entry.body }],
      seqMax: entry.seqMax,
      created: entry.createdMs,
      refused: false,
      bytes: 0,
    };
    view.stats.appended += entry.items;
    // No policy here: this data was accepted by the earlier version. A disk error fails the open.
    const place = this.writer.write(record, true);
    return place.seg;
  }

  // ——— appending ———

  /** May a record of `bytes` be taken? False = refuse (counted by the caller). */
  private admits(bytes: number): boolean {
    if (this.writer.memoryFull(bytes)) {
      this.policy.rejected("the disk refuses writes and the memory reserve is full");
      return false;
    }
    if (this.policy.admits(this.log.size + this.writer.spillBytes, bytes)) return true;
    this.policy.rejected(
      `outbox.maxBytes (${this.opts.maxBytes} bytes) and the headroom are used up while paused`,
    );
    return false;
  }

  private commit(record: PendingRecord): void {
    if (record.sections.length === 0) return;
    for (const s of record.sections) {
      const view = this.sink(s.sink);
      view.staged = Math.max(0, view.staged - s.items);
      view.stats.appended += s.items;
    }
    if (record.seqMax !== undefined && record.seqMax > this.lastSeqSeen) this.lastSeqSeen = record.seqMax;
    const toFree = this.policy.toFree(this.log.size, record.bytes);
    if (toFree > 0) this.dropOldest(toFree);
    else if (this.log.size + record.bytes > this.opts.maxBytes) this.policy.update(this.log.size, true);
    this.writer.put(record);
  }

  // ——— delivered bookkeeping ———

  private deliveredKey(): string {
    return this.views.map((v) => v.deliveredUpTo).join(" ");
  }

  private saveCursors(sync: boolean): void {
    this.cursors.save(
      {
        lastId: this.log.lastId,
        lastSeq: this.lastSeqSeen,
        delivered: new Map(this.views.map((v) => [v.name, v.deliveredUpTo])),
      },
      sync,
    );
    this.savedKey = this.deliveredKey();
  }

  private deleteDelivered(): void {
    deleteDelivered(this.log, this.views, this.segmentBytes);
  }

  /** drop-oldest: delete whole oldest segments until `need` bytes are free; counted and logged. */
  private dropOldest(need: number): void {
    this.flushAcks();
    const { items, bySink } = dropOldest(this.log, this.views, need);
    try {
      this.saveCursors(false);
    } catch {
      // the next flush saves it
    }
    let total = 0;
    for (const v of this.views) total += v.stats.dropped;
    this.policy.dropped(items, bySink, total);
  }

  private closeFiles(): void {
    this.log.close();
    this.cursors.close();
    for (const v of this.views) v.reset();
    this.unlock?.();
    this.unlock = undefined;
  }
}
