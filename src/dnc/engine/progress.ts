/** What a progress bar needs; emitted a few times a second and at every XOFF/XON. */
export type TransferProgress = {
  direction: "send" | "receive" | "drip";
  bytesDone: number;
  /** Unknown while receiving. */
  bytesTotal?: number;
  linesDone: number;
  linesTotal?: number;
  /** Characters per second over the last few seconds. */
  rate: number;
  /** Estimated time left, when the total is known and the rate is not zero. */
  etaMs?: number;
  pausedByXoff: boolean;
  xoffCount: number;
  elapsedMs: number;
};

const WINDOW_MS = 3000;

/**
 * Turns a stream of byte counts into throttled progress events with a rate
 * over a sliding window (a drip-feed's rate changes with the machine's feed,
 * so an average since the start would lie).
 */
export class ProgressMeter {
  private readonly base: Pick<TransferProgress, "direction" | "bytesTotal" | "linesTotal">;
  private readonly emit: (p: TransferProgress) => void;
  private readonly intervalMs: number;
  private readonly started = performance.now();
  private samples: { t: number; bytes: number }[] = [];
  private lastEmit = Number.NEGATIVE_INFINITY;
  private bytes = 0;
  private lines = 0;
  private paused = false;
  private xoffs = 0;

  constructor(
    base: Pick<TransferProgress, "direction" | "bytesTotal" | "linesTotal">,
    emit: (p: TransferProgress) => void,
    intervalMs = 200,
  ) {
    this.base = base;
    this.emit = emit;
    this.intervalMs = intervalMs;
  }

  update(bytes: number, lines: number): void {
    this.bytes = bytes;
    this.lines = lines;
    const t = performance.now();
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && this.samples[0]!.t < t - WINDOW_MS) this.samples.shift();
    if (t - this.lastEmit >= this.intervalMs) this.send(t);
  }

  setPaused(paused: boolean): void {
    if (paused && !this.paused) this.xoffs++;
    this.paused = paused;
    this.send(performance.now());
  }

  /** The last event, sent regardless of throttling. */
  finish(): TransferProgress {
    return this.send(performance.now());
  }

  snapshot(): TransferProgress {
    const t = performance.now();
    const first = this.samples[0];
    const span = first ? t - first.t : 0;
    const rate = first && span > 50 ? ((this.bytes - first.bytes) * 1000) / span : 0;
    const left = this.base.bytesTotal !== undefined ? this.base.bytesTotal - this.bytes : undefined;
    return {
      ...this.base,
      bytesDone: this.bytes,
      linesDone: this.lines,
      rate,
      etaMs: left !== undefined && rate > 0 ? (left * 1000) / rate : undefined,
      pausedByXoff: this.paused,
      xoffCount: this.xoffs,
      elapsedMs: t - this.started,
    };
  }

  private send(t: number): TransferProgress {
    this.lastEmit = t;
    const p = this.snapshot();
    this.emit(p);
    return p;
  }
}
