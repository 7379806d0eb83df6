import { appendFileSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { describePoint, type Precision, type StoredPoint } from "./points.ts";

// Points InfluxDB refused (400) are not retried forever: they are written to
// a JSON-lines file next to the outbox (one line per point with the reason)
// and named in the log, so someone can look at them, fix the cause and
// re-import them. The file is capped; beyond the cap only the log names them.

export type DeadLetterStats = { points: number };

const NAMES_PER_LINE = 10;

export class DeadLetters {
  readonly stats: DeadLetterStats = { points: 0 };
  private readonly path: string | undefined;
  private readonly maxBytes: number;
  private readonly precision: Precision;
  private readonly log: Logger;
  private full = false;

  constructor(opts: { path: string | undefined; maxBytes?: number; precision: Precision; log: Logger }) {
    this.path = opts.path;
    this.maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
    this.precision = opts.precision;
    this.log = opts.log;
  }

  /** Record refused points; one log line per call naming (up to ten of) them. */
  add(points: readonly StoredPoint[], reason: string): void {
    if (points.length === 0) return;
    this.stats.points += points.length;
    const names = points.slice(0, NAMES_PER_LINE).map((p) => describePoint(p, this.precision));
    const more = points.length > NAMES_PER_LINE ? ` and ${points.length - NAMES_PER_LINE} more` : "";
    this.log.error(
      { points: points.length, reason, file: this.path, deadLettered: this.stats.points },
      `InfluxDB refused ${points.length} point(s), dead-lettered: ${names.join("; ")}${more}`,
    );
    if (!this.path || this.full) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      if ((statSync(this.path, { throwIfNoEntry: false })?.size ?? 0) >= this.maxBytes) {
        this.full = true;
        this.log.warn(
          { file: this.path },
          "dead-letter file reached its size cap; further refused points are only logged",
        );
        return;
      }
      const at = new Date().toISOString();
      appendFileSync(
        this.path,
        points
          .map((p) => `${JSON.stringify({ at, reason, point: p, precision: this.precision })}\n`)
          .join(""),
      );
    } catch (err) {
      this.log.warn(
        { file: this.path, error: String(err) },
        "cannot write the dead-letter file; the points are only logged",
      );
    }
  }
}
