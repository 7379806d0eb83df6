/**
 * Per-gateway monotonic sequence numbers for observations.
 *
 * Only observations the pipeline actually emits get a number, so the sequence
 * is contiguous in the output: a gap seen downstream (MQTT consumer, store)
 * means something was lost on the way, not that the pipeline filtered it.
 * The start is injectable so a restarted gateway can continue after the last
 * seq it stored instead of reusing numbers.
 */
export class SequenceCounter {
  #next: number;

  /** @param first the seq the first `next()` returns (default 1; after a restart: last stored + 1). */
  constructor(first = 1) {
    if (!Number.isSafeInteger(first) || first < 0) {
      throw new RangeError(`firstSeq: expected a non-negative integer, got ${String(first)}`);
    }
    this.#next = first;
  }

  next(): number {
    const seq = this.#next;
    this.#next = seq + 1;
    return seq;
  }

  /** The most recently issued seq (first - 1 when none was issued yet). */
  get last(): number {
    return this.#next - 1;
  }
}
