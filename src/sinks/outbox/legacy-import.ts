import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { decodeLegacyPosition } from "./cursor-file.ts";
import { lockFolder } from "./folder-lock.ts";
import { LEGACY_VERSION, SEGMENT_NAME, scanRecords, scratchBuffer } from "./segment-file.ts";
import type { Segment } from "./segment-log.ts";

// The upgrade path. Before the shared log each sink had its own folder
// (outbox.path/mqtt, outbox.path/influx) with format-1 segment files and a
// `position` file. At start their undelivered entries are copied into the
// shared log as records holding only that sink's section, in order, before
// anything new; the copies are fdatasynced and the cursors saved, and only
// then are the old files deleted. A crash in between imports them again on
// the next start: duplicates (at-least-once), never a loss. Other files in
// those folders (influx/dead-letter.jsonl) stay.

export type LegacyEntry = { body: Buffer; items: number; seqMax: number | undefined; createdMs: number };

export type ImportOptions = {
  path: string;
  /** Member sinks: their old folders are imported. */
  sinks: readonly string[];
  log: Logger;
  /** Append one old entry to the shared log as a record of `sink` alone; returns the segment it went to. */
  write: (sink: string, entry: LegacyEntry) => Segment;
  /** Make the copies durable (sync the segments, save the cursors with `lastSeq`) before the old files go. */
  commit: (written: Set<Segment>, lastSeq: number) => void;
};

const LEGACY_FILE = /^(\d{16}\.seg|position|lock)$/;

/** Import every old per-sink folder under `path`. Throws (the old files untouched) if it cannot. */
export function importLegacyFolders(opts: ImportOptions): void {
  let entries: string[];
  try {
    entries = readdirSync(opts.path);
  } catch {
    return;
  }
  for (const name of entries.sort()) {
    const folder = join(opts.path, name);
    if (!isDir(folder) || !holdsLegacyOutbox(folder)) continue;
    if (!opts.sinks.includes(name)) {
      opts.log.warn(
        { folder },
        "outbox folder of an earlier version for a sink that is not configured: left in place, not delivered",
      );
      continue;
    }
    importFolder(folder, name, opts);
  }
}

function importFolder(folder: string, sink: string, opts: ImportOptions): void {
  // An old gateway still running on this folder holds its lock: refuse rather than race it.
  const unlock = lockFolder(join(folder, "lock"), `outbox ${folder}`);
  try {
    const position = readPosition(folder);
    const files = readdirSync(folder)
      .filter((f) => SEGMENT_NAME.test(f))
      .sort();
    const written = new Set<Segment>();
    let lastSeq = position?.lastSeq ?? 0;
    let imported = 0;
    let items = 0;
    const scratch = scratchBuffer();
    for (const f of files) {
      const baseId = Number(f.slice(0, 16));
      let id = baseId;
      const fd = openSync(join(folder, f), "r");
      try {
        scanRecords(
          fd,
          0,
          fstatSync(fd).size,
          (r) => {
            if (r.seqMax !== undefined && r.seqMax > lastSeq) lastSeq = r.seqMax;
            if (id > (position?.delivered ?? 0)) {
              // Copy: the body is a view into the scan buffer.
              written.add(
                opts.write(sink, {
                  body: Buffer.from(r.body),
                  items: r.items,
                  seqMax: r.seqMax,
                  createdMs: r.createdMs,
                }),
              );
              imported++;
              items += r.items;
            }
            id++;
            return true;
          },
          scratch,
          LEGACY_VERSION,
        );
      } finally {
        closeSync(fd);
      }
    }
    opts.commit(written, lastSeq);
    for (const f of readdirSync(folder)) if (LEGACY_FILE.test(f) && f !== "lock") unlinkSync(join(folder, f));
    opts.log.info(
      { folder, sink, entries: imported, items, lastSeq },
      "imported the undelivered data of an earlier version's outbox folder into the shared outbox",
    );
  } finally {
    unlock();
  }
  try {
    rmdirSync(folder); // only if empty (influx/ keeps its dead-letter.jsonl)
  } catch {
    // not empty
  }
}

function readPosition(folder: string) {
  try {
    return decodeLegacyPosition(readFileSync(join(folder, "position")));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function holdsLegacyOutbox(folder: string): boolean {
  return readdirSync(folder).some((f) => SEGMENT_NAME.test(f) || f === "position");
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
