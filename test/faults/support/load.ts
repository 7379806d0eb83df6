// A steady stream of observations for fault-injection tests: `rate` per second
// spread over `machines`, handed to `write` every `tickMs` as one pipeline
// output, with seq 1, 2, 3… Paced by the clock, not by timer accuracy, so a
// busy event loop sends bigger batches rather than fewer observations.
import type { PipelineOutput } from "../../../src/core/contracts.ts";
import type { Observation } from "../../../src/core/observation.ts";

export type Load = {
  /** Observations written so far (= the last seq). */
  sent(): number;
  /** Per machine: observations written so far. */
  perMachine(): Map<string, number>;
  stop(): void;
};

export function startLoad(
  write: (out: PipelineOutput) => void,
  opts: { rate: number; machines: number; tickMs?: number; firstSeq?: number },
): Load {
  const machines = Array.from({ length: opts.machines }, (_, i) => `m${i + 1}`);
  const counts = new Map(machines.map((m) => [m, 0]));
  const started = performance.now();
  let seq = (opts.firstSeq ?? 1) - 1;
  let sent = 0;
  const tick = (): void => {
    const due = Math.floor(((performance.now() - started) / 1000) * opts.rate);
    const observations: Observation[] = [];
    const now = Date.now();
    while (sent < due) {
      seq++;
      sent++;
      const machine = machines[seq % machines.length]!;
      counts.set(machine, (counts.get(machine) ?? 0) + 1);
      observations.push({
        machine,
        signal: "spindle.speed",
        value: seq % 5000,
        unit: "rev/min",
        ts: now,
        rx: now,
        quality: "good",
        source: { protocol: "sim", ref: "load" },
        seq,
      });
    }
    if (observations.length > 0) write({ observations, events: [], snapshots: [] });
  };
  const timer = setInterval(tick, opts.tickMs ?? 20);
  return {
    sent: () => seq,
    perMachine: () => new Map(counts),
    stop: () => {
      clearInterval(timer);
      tick();
    },
  };
}

/** The numbers 1…n that `seen` lacks (seen may hold duplicates and any order). */
export function missingSeqs(seen: Iterable<number>, n: number, first = 1): number[] {
  const have = new Set(seen);
  const missing: number[] = [];
  for (let s = first; s <= n; s++) if (!have.has(s)) missing.push(s);
  return missing;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
