import type { Observation, ObservationValue } from "../core/observation.ts";

export type LiveSignalValue = { value: ObservationValue; ts: number; unit?: string };
export type MachineSignalUpdate = { machine: string; signals: Record<string, LiveSignalValue> };

/**
 * Keeps only the latest value per machine and signal between two flushes.
 * A browser cannot show 100k values a second and should not be sent them:
 * the live page needs "what is it now", so intermediate values are dropped
 * here, once, before anything is serialised for any client.
 *
 * Alarm reports are left out: the active alarm set reaches the page through
 * state snapshots and alarm events, which are never throttled.
 */
export class SignalCoalescer {
  #pending = new Map<string, Map<string, LiveSignalValue>>();

  add(observations: readonly Observation[]): void {
    for (const o of observations) {
      if (o.signal === "alarm") continue;
      let machine = this.#pending.get(o.machine);
      if (machine === undefined) {
        machine = new Map();
        this.#pending.set(o.machine, machine);
      }
      const previous = machine.get(o.signal);
      // Out-of-order arrival (replays, agent buffers) must not move the page backwards in time.
      if (previous !== undefined && previous.ts > o.ts) continue;
      machine.set(
        o.signal,
        o.unit === undefined ? { value: o.value, ts: o.ts } : { value: o.value, ts: o.ts, unit: o.unit },
      );
    }
  }

  /** One update per machine that changed since the last drain; empties the buffer. */
  drain(): MachineSignalUpdate[] {
    const updates: MachineSignalUpdate[] = [];
    for (const [machine, signals] of this.#pending)
      updates.push({ machine, signals: Object.fromEntries(signals) });
    this.#pending.clear();
    return updates;
  }

  get size(): number {
    return this.#pending.size;
  }
}
