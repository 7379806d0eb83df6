// The readings the MQTT throughput runs push through the pipeline: a cell of
// machines streaming samples, every value different from the last (so dedupe
// keeps all of them and every reading becomes an observation). Each batch is
// one machine's burst, as an adapter hands over the lines of one TCP chunk.
import type { Reading } from "../../src/core/observation.ts";
import { type SignalId, signalSpec } from "../../src/core/signals.ts";

export const MACHINES = Array.from({ length: 20 }, (_, i) => `m${String(i + 1).padStart(2, "0")}`);

export const SIGNALS: readonly SignalId[] = [
  "spindle.speed",
  "spindle.load",
  "spindle.override",
  "feed.rate",
  "feed.override",
  "axis.x.position",
  "axis.y.position",
  "axis.z.position",
  "program.line",
  "tool.number",
];

const UNITS = SIGNALS.map((s) => signalSpec(s)?.unit);
const SOURCE = { protocol: "sim", ref: "bench" } as const;
/** A cycle with a pause: start, feed hold, resume, completed, reset. */
const EXECUTIONS = ["ACTIVE", "FEED_HOLD", "ACTIVE", "PROGRAM_COMPLETED", "READY"];

/**
 * Generates batches: `linesPerBatch` moments × every signal, one machine per
 * batch, round robin. With `executionEvery`, every n-th reading is an
 * execution change instead (state machine, cycle events, snapshots).
 */
export class ReadingWorkload {
  readonly batchSize: number;
  readonly #linesPerBatch: number;
  readonly #executionEvery: number;
  #machine = 0;
  #n = 0;
  #slot = 0;
  #executions = 0;
  #ts = Date.now();

  constructor(opts: { linesPerBatch?: number; executionEvery?: number } = {}) {
    this.#linesPerBatch = opts.linesPerBatch ?? 10;
    this.#executionEvery = opts.executionEvery ?? 0;
    this.batchSize = this.#linesPerBatch * SIGNALS.length;
  }

  next(): Reading[] {
    const machine = MACHINES[this.#machine] as string;
    this.#machine = (this.#machine + 1) % MACHINES.length;
    const out: Reading[] = [];
    for (let line = 0; line < this.#linesPerBatch; line++) {
      const ts = ++this.#ts;
      for (let s = 0; s < SIGNALS.length; s++) {
        if (this.#executionEvery > 0 && ++this.#slot % this.#executionEvery === 0) {
          const value = EXECUTIONS[this.#executions++ % EXECUTIONS.length] as string;
          out.push({ machine, signal: "execution", value, ts, rx: ts, quality: "good", source: SOURCE });
          continue;
        }
        // A new value every time (one decimal, like real positions and loads).
        const value = ((this.#n++ % 1_000_000) + s) / 10;
        const r: Reading = {
          machine,
          signal: SIGNALS[s] as SignalId,
          value,
          ts,
          rx: ts,
          quality: "good",
          source: SOURCE,
        };
        const unit = UNITS[s];
        if (unit !== undefined) r.unit = unit;
        out.push(r);
      }
    }
    return out;
  }
}
