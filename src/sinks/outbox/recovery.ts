import type { Logger } from "pino";
import type { CursorFile } from "./cursor-file.ts";
import { readSections } from "./record-sections.ts";
import type { SegmentLog } from "./segment-log.ts";
import type { SinkOutbox } from "./sink-outbox.ts";

// Opening the shared log after a run (clean stop, crash or SIGKILL): where
// each sink stood (the cursors file), what the segments hold for each sink
// (a torn tail is cut by SegmentLog), and the highest seq ever appended.

export function loadLog(opts: {
  log: SegmentLog;
  views: readonly SinkOutbox[];
  cursors: CursorFile;
  logger: Logger;
  name: string;
  /** A record whose section table cannot be read (damage). */
  damaged: (id: number) => void;
}): { lastSeq: number } {
  const { log, views, logger } = opts;
  const saved = opts.cursors.read();
  if (saved === "unreadable") {
    logger.warn(
      { outbox: opts.name, file: opts.cursors.file },
      "outbox cursors unreadable; delivering everything in the folder again",
    );
  }
  const known = typeof saved === "object" ? saved : undefined;
  let lastSeq = known?.lastSeq ?? 0;
  // A sink that joined since the last run starts at the end: nothing earlier is for it.
  const delivered = views.map((v) => (known ? (known.delivered.get(v.name) ?? Number.POSITIVE_INFINITY) : 0));
  const members = new Set(views.map((v) => v.name));
  const foreign = new Map<string, number>();
  log.recover(known?.lastId ?? 0, (id, seg, r) => {
    if (r.seqMax !== undefined && r.seqMax > lastSeq) lastSeq = r.seqMax;
    let refs: ReturnType<typeof readSections>;
    try {
      refs = readSections(r.body);
    } catch {
      opts.damaged(id);
      return;
    }
    for (const v of views) {
      const ref = refs.find((x) => x.sink === v.name);
      v.recovered(id, seg, ref && { items: ref.items, bytes: ref.end - ref.start }, delivered[v.index]!);
    }
    for (const ref of refs) {
      if (members.has(ref.sink) || id <= (known?.delivered.get(ref.sink) ?? 0)) continue;
      foreign.set(ref.sink, (foreign.get(ref.sink) ?? 0) + ref.items);
    }
  });
  for (const [sink, items] of foreign) {
    logger.warn(
      { outbox: opts.name, sink, items },
      "outbox holds undelivered data for a sink that is no longer configured; it is discarded with its segments",
    );
  }
  for (const v of views) v.startAt(delivered[v.index]!);
  return { lastSeq };
}
