import type { Logger } from "pino";

/**
 * Bad input can arrive at thousands of lines a second; every error is
 * counted, but only the first `max` per window are logged, followed by one
 * line saying how many were left out.
 */
export class LogLimiter {
  readonly #log: Logger;
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart = 0;
  #logged = 0;
  #suppressed = 0;

  constructor(log: Logger, max = 10, windowMs = 10_000, now: () => number = Date.now) {
    this.#log = log;
    this.#max = max;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  warn(fields: Record<string, unknown>, msg: string): void {
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      if (this.#suppressed > 0) {
        this.#log.warn({ suppressed: this.#suppressed }, "more bad SHDR input was counted but not logged");
      }
      this.#windowStart = now;
      this.#logged = 0;
      this.#suppressed = 0;
    }
    if (this.#logged < this.#max) {
      this.#logged++;
      this.#log.warn(fields, msg);
    } else {
      this.#suppressed++;
    }
  }
}
