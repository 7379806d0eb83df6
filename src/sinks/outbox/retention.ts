import type { SegmentLog } from "./segment-log.ts";
import type { SinkOutbox } from "./sink-outbox.ts";

// Which segment files may go: those every sink's position has passed, and,
// with drop-oldest when the log is full, the oldest ones regardless. Whole
// files only: deleting is an unlink, never a rewrite.

/** The lowest delivered position: records up to it are delivered to every sink. */
export function deliveredToAll(log: SegmentLog, views: readonly SinkOutbox[]): number {
  let min = log.lastId;
  for (const v of views) min = Math.min(min, v.deliveredUpTo);
  return min;
}

/**
 * Delete segment files every sink has passed (never the one being written,
 * unless it is all delivered and at least a quarter full: then a fresh one
 * starts so the old one can go).
 */
export function deleteDelivered(log: SegmentLog, views: readonly SinkOutbox[], segmentBytes: number): void {
  const upTo = deliveredToAll(log, views);
  while (log.segments.length > 1) {
    const seg = log.segments[0]!;
    if (seg.baseId + seg.count - 1 > upTo) break;
    for (const v of views) v.segmentDeleted(seg);
    log.removeSegment(seg);
  }
  const only = log.segments[0];
  if (
    only &&
    log.segments.length === 1 &&
    only.count > 0 &&
    only.baseId + only.count - 1 <= upTo &&
    only.size >= segmentBytes / 4
  ) {
    log.startSegment();
    deleteDelivered(log, views, segmentBytes);
  }
}

/**
 * drop-oldest: delete whole oldest segments, delivered or not, until `need`
 * bytes are free (the one being written is closed first). Returns the items
 * dropped, per sink.
 */
export function dropOldest(
  log: SegmentLog,
  views: readonly SinkOutbox[],
  need: number,
): { items: number; bySink: Record<string, number> } {
  let freed = 0;
  let items = 0;
  const bySink: Record<string, number> = {};
  while (freed < need && log.segments.length > 0) {
    const seg = log.segments[0]!;
    if (log.isWriting(seg)) {
      if (seg.count === 0) break;
      log.startSegment();
    }
    for (const v of views) {
      const n = v.segmentDropped(seg);
      items += n;
      bySink[v.name] = (bySink[v.name] ?? 0) + n;
    }
    freed += seg.size;
    log.removeSegment(seg);
  }
  return { items, bySink };
}
