import type { SimDataItem, SimDevice } from "./device-model.ts";

// The agent's observation store, as the MTConnect standard describes it: a
// bounded ring buffer of sequence-numbered observations (firstSequence …
// lastSequence; older ones are gone, which is what makes OUT_OF_RANGE
// happen), plus the latest value of every data item for /current — for
// conditions the whole set of active codes.

export type SimConditionLevel = "Normal" | "Warning" | "Fault" | "Unavailable";

export type SimObservation = {
  sequence: number;
  device: SimDevice;
  item: SimDataItem;
  timestamp: string;
  /** null = UNAVAILABLE. For conditions: the message text. */
  value: string | null;
  level?: SimConditionLevel;
  nativeCode?: string;
};

export type ObservationFilter = (device: SimDevice, item: SimDataItem) => boolean;

export class AgentBuffer {
  readonly capacity: number;
  private ring: (SimObservation | undefined)[];
  nextSequence = 1;
  private readonly latest = new Map<string, SimObservation>();
  /** Condition item id → nativeCode → its Warning/Fault observation. */
  private readonly active = new Map<string, Map<string, SimObservation>>();
  private readonly listeners = new Set<() => void>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`bufferSize must be ≥ 1, got ${capacity}`);
    this.capacity = capacity;
    this.ring = new Array(capacity);
  }

  get firstSequence(): number {
    return Math.max(1, this.nextSequence - this.capacity);
  }

  get lastSequence(): number {
    return this.nextSequence - 1;
  }

  /** Called after every append batch (see `notify`). */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const l of this.listeners) l();
  }

  add(o: Omit<SimObservation, "sequence">): SimObservation {
    const obs: SimObservation = { ...o, sequence: this.nextSequence++ };
    this.ring[obs.sequence % this.capacity] = obs;
    if (obs.level === undefined) {
      this.latest.set(obs.item.id, obs);
      return obs;
    }
    let codes = this.active.get(obs.item.id);
    if (obs.level === "Warning" || obs.level === "Fault") {
      if (!codes) {
        codes = new Map();
        this.active.set(obs.item.id, codes);
      }
      codes.set(obs.nativeCode ?? "", obs);
    } else if (obs.level === "Normal" && obs.nativeCode) {
      codes?.delete(obs.nativeCode);
      if (codes?.size === 0) this.active.delete(obs.item.id);
    } else {
      this.active.delete(obs.item.id);
    }
    this.latest.set(obs.item.id, obs);
    return obs;
  }

  /**
   * Observations from `from` on (at most `count` matching), and the sequence to
   * ask for next. The caller checks `from` against firstSequence/nextSequence.
   */
  range(
    from: number,
    count: number,
    filter?: ObservationFilter,
  ): { observations: SimObservation[]; next: number } {
    const observations: SimObservation[] = [];
    let seq = Math.max(from, this.firstSequence);
    for (; seq < this.nextSequence && observations.length < count; seq++) {
      const o = this.ring[seq % this.capacity];
      if (o && o.sequence === seq && (!filter || filter(o.device, o.item))) observations.push(o);
    }
    return { observations, next: seq };
  }

  /** The latest observation of every item (every active code for conditions; Normal when none). */
  current(filter?: ObservationFilter): SimObservation[] {
    const out: SimObservation[] = [];
    for (const o of this.latest.values()) {
      if (filter && !filter(o.device, o.item)) continue;
      const codes = this.active.get(o.item.id);
      if (codes && codes.size > 0) out.push(...codes.values());
      else if (o.level === "Normal") out.push({ ...o, nativeCode: undefined, value: "" });
      else out.push(o);
    }
    return out.sort((a, b) => a.sequence - b.sequence);
  }

  /** An agent restart: sequences start again at 1 and the store is empty. */
  clear(): void {
    this.ring = new Array(this.capacity);
    this.nextSequence = 1;
    this.latest.clear();
    this.active.clear();
  }
}
