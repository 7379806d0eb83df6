// The SHDR heartbeat: the client sends `* PING` every interval; the adapter
// answers `* PONG <ms>`, which sets the interval. If nothing at all arrives
// for twice the interval the connection counts as dead (a half-open TCP
// connection or a hung adapter would otherwise look "connected" forever).

/** PONG intervals outside this range are clamped: a tiny one would flood the adapter with PINGs. */
export const MIN_HEARTBEAT_MS = 100;
export const MAX_HEARTBEAT_MS = 600_000;

export type HeartbeatOptions = {
  intervalMs: number;
  ping(): void;
  timeout(silentForMs: number): void;
  now?: () => number;
};

/**
 * Two timers: one sends PING, one checks the receive deadline. `received()`
 * only records the time (it runs for every chunk at high data rates); the
 * deadline timer re-arms itself for the remaining time instead of being
 * reset per chunk.
 */
export class Heartbeat {
  #interval: number;
  readonly #opts: HeartbeatOptions;
  readonly #now: () => number;
  #lastRx = 0;
  #pingTimer: NodeJS.Timeout | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(opts: HeartbeatOptions) {
    this.#opts = opts;
    this.#interval = opts.intervalMs;
    this.#now = opts.now ?? Date.now;
  }

  get intervalMs(): number {
    return this.#interval;
  }

  get timeoutMs(): number {
    return 2 * this.#interval;
  }

  start(): void {
    this.stop();
    this.#running = true;
    this.#lastRx = this.#now();
    this.#schedulePing();
    this.#scheduleDeadline(this.timeoutMs);
  }

  received(): void {
    this.#lastRx = this.#now();
  }

  /** Adopt the adapter's `* PONG <ms>` interval; returns the interval in force. */
  setIntervalMs(ms: number): number {
    const clamped = Math.min(MAX_HEARTBEAT_MS, Math.max(MIN_HEARTBEAT_MS, Math.round(ms)));
    if (clamped !== this.#interval) {
      this.#interval = clamped;
      if (this.#running) {
        this.#schedulePing();
        this.#scheduleDeadline(Math.max(0, this.#lastRx + this.timeoutMs - this.#now()));
      }
    }
    return clamped;
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#pingTimer);
    clearTimeout(this.#deadlineTimer);
    this.#pingTimer = undefined;
    this.#deadlineTimer = undefined;
  }

  #schedulePing(): void {
    clearTimeout(this.#pingTimer);
    this.#pingTimer = setTimeout(() => {
      if (!this.#running) return;
      this.#opts.ping();
      this.#schedulePing();
    }, this.#interval);
  }

  #scheduleDeadline(inMs: number): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = setTimeout(() => {
      if (!this.#running) return;
      const silent = this.#now() - this.#lastRx;
      if (silent >= this.timeoutMs) {
        this.stop();
        this.#opts.timeout(silent);
      } else {
        this.#scheduleDeadline(this.timeoutMs - silent);
      }
    }, inMs);
  }
}
