import type { Logger } from "pino";
import { outboxError } from "./outbox-errors.ts";
import { encodeSectionTable, type SectionInput } from "./record-sections.ts";
import type { Place, SegmentLog } from "./segment-log.ts";
import type { SinkOutbox } from "./sink-outbox.ts";

// Puts records on disk and tells every sink's view. When the disk refuses a
// write (full, failing) the record is kept in memory, in order, and written
// when the disk accepts again: a full disk is logged once, not per batch,
// and no accepted data is lost while the gateway runs.

/** A record not yet on disk: the batch being assembled, or one the disk refused. */
export type PendingRecord = {
  sections: SectionInput[];
  seqMax: number | undefined;
  created: number;
  /** Decided when the first section arrived: the whole batch is taken or refused. */
  refused: boolean;
  /** Size on disk (header + table + bodies). */
  bytes: number;
};

export class RecordWriter {
  /** The last write failed: new records queue in memory behind the ones waiting. */
  failing = false;
  spillBytes = 0;
  private readonly log: SegmentLog;
  private readonly views: readonly SinkOutbox[];
  private readonly logger: Logger;
  private readonly name: string;
  private readonly path: string;
  private readonly maxMemoryBytes: number;
  private spill: PendingRecord[] = [];
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(opts: {
    log: SegmentLog;
    views: readonly SinkOutbox[];
    logger: Logger;
    name: string;
    path: string;
    maxMemoryBytes: number;
  }) {
    this.log = opts.log;
    this.views = opts.views;
    this.logger = opts.logger;
    this.name = opts.name;
    this.path = opts.path;
    this.maxMemoryBytes = opts.maxMemoryBytes;
  }

  /** While the disk refuses writes: would `bytes` more overflow the memory reserve? */
  memoryFull(bytes: number): boolean {
    return this.failing && this.spillBytes + bytes > this.maxMemoryBytes;
  }

  /** On disk when the disk accepts it (after what waits in memory), else in memory. */
  put(record: PendingRecord): void {
    if ((this.spill.length > 0 && !this.writeSpill()) || !this.tryWrite(record)) this.keepInMemory(record);
  }

  /** Write one record and tell every view. Throws what the disk said. `quiet`: no appended signals. */
  write(record: PendingRecord, quiet: boolean): Place {
    const parts = [encodeSectionTable(record.sections), ...record.sections.map((s) => s.body)];
    let items = 0;
    for (const s of record.sections) items += s.items;
    const place = this.log.append(parts, items, record.seqMax, record.created);
    const id = this.log.lastId;
    for (const v of this.views) {
      const s = record.sections.find((x) => x.sink === v.name);
      v.written(id, place, place.bytes, s && { items: s.items, bytes: s.body.length, text: s.text });
    }
    if (!quiet) for (const s of record.sections) this.view(s.sink).notifyAppended();
    return place;
  }

  /** Move what the disk refused earlier onto it, in order. False if it still refuses. */
  writeSpill(): boolean {
    while (this.spill.length > 0) {
      const record = this.spill[0]!;
      for (const s of record.sections) this.view(s.sink).stats.memoryItems -= s.items;
      if (!this.tryWrite(record)) {
        for (const s of record.sections) this.view(s.sink).stats.memoryItems += s.items;
        return false;
      }
      this.spill.shift();
      this.spillBytes -= record.bytes;
    }
    return true;
  }

  /** Items still in memory (lost if the process ends now). */
  spilledItems(): number {
    let n = 0;
    for (const r of this.spill) for (const s of r.sections) n += s.items;
    return n;
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private tryWrite(record: PendingRecord): boolean {
    try {
      this.write(record, false);
    } catch (err) {
      for (const s of record.sections) this.view(s.sink).stats.writeErrors++;
      if (!this.failing) {
        this.failing = true;
        this.logger.error(
          { outbox: this.name, error: outboxError("write to", this.path, err).message },
          "outbox write failed; keeping data in memory and retrying",
        );
      }
      return false;
    }
    if (this.failing) {
      this.failing = false;
      this.logger.info({ outbox: this.name, path: this.path }, "outbox writes recovered");
    }
    return true;
  }

  private keepInMemory(record: PendingRecord): void {
    this.spill.push(record);
    this.spillBytes += record.bytes;
    for (const s of record.sections) this.view(s.sink).stats.memoryItems += s.items;
    if (!this.retryTimer) this.retryLater();
  }

  private retryLater(): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.spill.length > 0 && !this.writeSpill()) this.retryLater();
    }, 1000);
    this.retryTimer.unref();
  }

  private view(sink: string): SinkOutbox {
    return this.views.find((v) => v.name === sink)!;
  }
}
