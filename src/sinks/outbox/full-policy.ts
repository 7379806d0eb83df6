import type { Logger } from "pino";
import type { WhenFull } from "./outbox-types.ts";

// The size bound of the shared log (outbox.maxBytes) and what happens at it:
// `pause` signals backpressure, takes a headroom for data already on its way,
// then refuses; `drop-oldest` frees whole oldest segments. This class decides
// and logs; SharedOutbox does the dropping. README.md has the why.

export type FullPolicyOptions = {
  name: string;
  maxBytes: number;
  whenFull: WhenFull;
  /** pause: accepted beyond maxBytes while paused. */
  headroomBytes: number;
  /** pause: resume below this share of maxBytes. */
  resumeRatio: number;
  log: Logger;
  now: () => number;
  /** paused or fullEpisodes changed. */
  onChange: () => void;
};

export class FullPolicy {
  paused = false;
  fullEpisodes = 0;
  private readonly opts: FullPolicyOptions;
  private rejectLogged = false;
  private dropLoggedAt = 0;
  private droppedSinceLog = 0;
  private readonly listeners = new Set<(paused: boolean) => void>();

  constructor(opts: FullPolicyOptions) {
    this.opts = opts;
  }

  /**
   * May a record of `bytes` join a log holding `held` bytes? Pauses intake
   * when it reaches maxBytes; false (refuse) once the headroom is used up.
   */
  admits(held: number, bytes: number): boolean {
    const max = this.opts.maxBytes;
    if (held + bytes <= max || this.opts.whenFull === "drop-oldest") return true;
    if (!this.paused) this.update(held, true);
    return held + bytes <= max + this.opts.headroomBytes;
  }

  /** drop-oldest: bytes to free before a record of `bytes` is written (0: none). */
  toFree(held: number, bytes: number): number {
    if (this.opts.whenFull !== "drop-oldest") return 0;
    return Math.max(0, held + bytes - this.opts.maxBytes);
  }

  /** One error line per episode for refused data (the counters say how much). */
  rejected(why: string): void {
    if (this.rejectLogged) return;
    this.rejectLogged = true;
    this.opts.log.error(
      { outbox: this.opts.name, why },
      "outbox full: refusing new data (counted in maskinport_outbox_rejected_items_total)",
    );
  }

  /** drop-oldest dropped `items` (per sink in `bySink`): never silent, never a line per batch. */
  dropped(items: number, bySink: Record<string, number>, totalDropped: number): void {
    this.droppedSinceLog += items;
    const now = this.opts.now();
    if (this.dropLoggedAt !== 0 && now - this.dropLoggedAt < 10_000) return;
    if (this.dropLoggedAt === 0) {
      this.fullEpisodes++;
      this.opts.onChange();
    }
    this.opts.log.warn(
      {
        outbox: this.opts.name,
        dropped: this.droppedSinceLog,
        bySink,
        totalDropped,
        maxBytes: this.opts.maxBytes,
      },
      "outbox full: dropped the oldest undelivered data (whenFull: drop-oldest)",
    );
    this.dropLoggedAt = now;
    this.droppedSinceLog = 0;
  }

  /** The log holds `held` bytes now: pause when full, resume below resumeRatio. */
  update(held: number, full?: boolean): void {
    const max = this.opts.maxBytes;
    const roomAgain = held <= max * this.opts.resumeRatio;
    if (this.opts.whenFull === "drop-oldest") {
      if (this.dropLoggedAt !== 0 && roomAgain) {
        this.dropLoggedAt = 0;
        this.droppedSinceLog = 0;
      }
      return;
    }
    const shouldPause = full === true || held >= max;
    if (shouldPause && !this.paused) {
      this.paused = true;
      this.fullEpisodes++;
      this.opts.onChange();
      this.opts.log.warn(
        { outbox: this.opts.name, bytes: held, maxBytes: max },
        "outbox full: pausing intake until deliveries make room (whenFull: pause)",
      );
      for (const l of [...this.listeners]) l(true);
    } else if (this.paused && roomAgain && !shouldPause) {
      this.paused = false;
      this.rejectLogged = false;
      this.opts.onChange();
      this.opts.log.info({ outbox: this.opts.name, bytes: held }, "outbox has room again; resuming intake");
      for (const l of [...this.listeners]) l(false);
    }
  }

  onBackpressure(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
