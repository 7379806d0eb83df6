// Replaying a captured SHDR log (e.g. an adapter's output saved to a file) with
// its original timing scaled by a speed factor. The log is split into records:
// one line, or an asset command with its `--multiline--XXXX` body, which must
// reach the client in one piece. Timing comes from the data lines' timestamps;
// see replaySchedule for how jumps are treated.
import { setTimeout as sleep } from "node:timers/promises";
import { shdrTimestamp } from "./format.ts";

export type ReplayRecord = {
  /** The record as it goes on the wire, every line LF-terminated. */
  text: string;
  /** Log time of a data record, ms since epoch; null for lines that do not move the replay clock. */
  timeMs: number | null;
  /** The text after the leading timestamp and its `|`, for re-stamping; null when the record has no timestamp. */
  afterTimestamp: string | null;
};

export type ParsedShdrLog = { records: ReplayRecord[]; warnings: string[] };

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;
const MULTILINE = /(--multiline--[A-Za-z0-9]+)\s*$/;

/** An SHDR timestamp (ISO 8601, any number of fraction digits, no zone = UTC) → ms since epoch, or null. */
export function parseShdrTimestamp(text: string): number | null {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (fraction) ms += Number(`0.${fraction}`) * 1000;
  if (zone && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Split a log into records. Data lines (`timestamp|key|value…`) carry the
 * replay clock. Asset commands (`@ASSET@`, `@REMOVE_ASSET@` …) carry the
 * asset's own time, hours away from the log's, so they are sent in place but
 * do not move the clock. Lines without a timestamp (`* key: value` metadata)
 * pass through untimed. Empty lines outside asset bodies are dropped.
 */
export function parseShdrLog(content: string): ParsedShdrLog {
  const lines = content.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  const records: ReplayRecord[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const bar = line.indexOf("|");
    const stamp = bar >= 0 ? parseShdrTimestamp(line.slice(0, bar)) : null;
    const key = bar >= 0 ? (line.slice(bar + 1).split("|", 1)[0] ?? "") : "";
    const block = [line];
    const multiline = MULTILINE.exec(line);
    if (multiline) {
      const marker = multiline[1] ?? "";
      const start = i + 1;
      let end = start;
      while (end < lines.length && (lines[end] ?? "").trim() !== marker) end++;
      if (end < lines.length) {
        block.push(...lines.slice(start, end + 1));
      } else {
        warnings.push(`line ${i + 1}: ${marker} block is not closed; sent up to the end of the file`);
        const rest = lines.slice(start);
        while (rest.length > 0 && rest[rest.length - 1] === "") rest.pop();
        block.push(...rest);
      }
      i = end;
    }
    const text = `${block.join("\n")}\n`;
    records.push({
      text,
      timeMs: stamp !== null && !key.startsWith("@") ? stamp : null,
      afterTimestamp: stamp !== null ? text.slice(bar + 1) : null,
    });
  }
  return { records, warnings };
}

export type ReplayTiming = {
  /** 2 = twice as fast as recorded. */
  speed: number;
  /** A forward gap longer than this (log time) is shortened to it: a gap between adapter sessions is not worth waiting for. */
  maxGapMs: number;
  /**
   * A backward jump bigger than this starts a new session (the clock follows the new times).
   * Smaller backward steps are writer threads logging out of order: no delay, and the clock
   * keeps its furthest time so the following lines do not wait twice.
   */
  sessionJumpMs: number;
};

export const DEFAULT_REPLAY_TIMING: ReplayTiming = { speed: 1, maxGapMs: 10_000, sessionJumpMs: 1_000 };

/**
 * When each record is due, in real ms from the start of the replay. A backward
 * jump in the log never waits (joined sessions, out-of-order writers); forward
 * gaps are scaled by 1/speed after capping at maxGapMs.
 */
export function replaySchedule(records: readonly ReplayRecord[], timing: ReplayTiming): number[] {
  const due: number[] = [];
  let clock: number | null = null;
  let offset = 0;
  for (const record of records) {
    const t = record.timeMs;
    if (t !== null) {
      if (clock === null) clock = t;
      else if (t > clock) {
        offset += Math.min(t - clock, timing.maxGapMs) / timing.speed;
        clock = t;
      } else if (clock - t > timing.sessionJumpMs) clock = t;
    }
    due.push(offset);
  }
  return due;
}

export type ReplaySink = {
  /** Write a chunk; false when the peer is not keeping up (then `drained` is awaited). */
  write(text: string): boolean;
  drained(): Promise<void>;
};

export type ReplayOptions = {
  loop: boolean;
  /** Replace each record's timestamp with the current time (asset bodies stay untouched). */
  retime: boolean;
  /** Pause before starting over, real ms. */
  loopPauseMs: number;
};

/** Plays the records to one client. One session per connection, from the start of the log. */
export class ReplaySession {
  readonly #records: readonly ReplayRecord[];
  readonly #due: readonly number[];
  readonly #sink: ReplaySink;
  readonly #options: ReplayOptions;
  readonly #abort = new AbortController();
  /** Records sent so far (all loops). */
  sent = 0;
  loops = 0;

  constructor(
    records: readonly ReplayRecord[],
    due: readonly number[],
    sink: ReplaySink,
    options: ReplayOptions,
  ) {
    this.#records = records;
    this.#due = due;
    this.#sink = sink;
    this.#options = options;
  }

  stop(): void {
    this.#abort.abort();
  }

  /** Resolves when the log has been played (without loop) or the session was stopped. */
  async run(): Promise<void> {
    const signal = this.#abort.signal;
    try {
      do {
        await this.#playOnce(signal);
        if (!this.#options.loop || signal.aborted) break;
        this.loops++;
        await sleep(this.#options.loopPauseMs, undefined, { signal });
      } while (!signal.aborted);
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  async #playOnce(signal: AbortSignal): Promise<void> {
    const start = performance.now();
    const n = this.#records.length;
    let i = 0;
    while (i < n && !signal.aborted) {
      const wait = start + (this.#due[i] ?? 0) - performance.now();
      if (wait > 0.5) await sleep(wait, undefined, { signal });
      // Everything that is due now goes out in one write.
      const now = performance.now();
      let chunk = "";
      while (i < n && start + (this.#due[i] ?? 0) <= now + 0.5 && chunk.length < 65_536) {
        chunk += this.#render(this.#records[i] as ReplayRecord);
        i++;
        this.sent++;
      }
      if (chunk.length === 0) continue;
      if (!this.#sink.write(chunk)) await this.#sink.drained();
      else if (chunk.length >= 65_536) await sleep(0, undefined, { signal }); // let PINGs through
    }
  }

  #render(record: ReplayRecord): string {
    if (!this.#options.retime || record.afterTimestamp === null) return record.text;
    return `${shdrTimestamp(Date.now())}|${record.afterTimestamp}`;
  }
}
