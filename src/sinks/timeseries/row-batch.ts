import type { PipelineOutput } from "../../core/contracts.ts";
import type { MachineEvent } from "../../core/events.ts";
import type { Observation } from "../../core/observation.ts";

// How pipeline output travels from the gateway's event loop to the store's
// worker thread. Observations are the bulk (10–20k per second on a busy
// gateway), so they go as columns in typed arrays whose buffers are
// *transferred*, not copied: encoding one is a few array stores on the event
// loop, where cloning an object per observation cost more than the SQLite
// insert it feeds. Strings (text values, sessions, alarm details) ride in
// small side arrays; events and state changes are rare and go as objects.

export const VALUE_NULL = 0;
export const VALUE_NUM = 1;
export const VALUE_TEXT = 2;

/** Quality by code; good (0) is stored as NULL. */
export const QUALITY_NAMES = [null, "uncertain", "bad"] as const;

export type SeriesKey = { machine: string; signal: string; unit: string | null };

/** Events and state changes, in the order the pipeline produced them. */
export type StoredRecord =
  | { kind: "event"; event: MachineEvent }
  | { kind: "state"; machine: string; ts: number; state: string };

export type RowBatch = {
  /** Observation rows in the columns below. */
  rows: number;
  /**
   * Series used for the first time in this batch. Series are numbered by the
   * encoder in order of first use; these are numbers firstNewSeries,
   * firstNewSeries + 1, …
   */
  firstNewSeries: number;
  newSeries: SeriesKey[];
  series: Int32Array;
  ts: Float64Array;
  seq: Float64Array;
  /** The number (booleans as 0/1) when valueKind is VALUE_NUM; may be NaN/±Infinity, stored as NULL. */
  num: Float64Array;
  valueKind: Uint8Array;
  quality: Uint8Array;
  /** Index into `sessions`, -1 for none. */
  sessionRef: Int32Array;
  sessions: string[];
  /** The values of the VALUE_TEXT rows, in row order. */
  texts: string[];
  /** Alarm details (JSON) of the rows that have one, in row order. */
  details: { row: number; json: string }[];
  records: StoredRecord[];
};

/** Rows a batch asks the store to write: observations plus events and state changes. */
export function batchRows(batch: RowBatch): number {
  return batch.rows + batch.records.length;
}

/** The buffers to hand to postMessage's transfer list. */
export function batchBuffers(batch: RowBatch): ArrayBuffer[] {
  return [
    batch.series.buffer,
    batch.ts.buffer,
    batch.seq.buffer,
    batch.num.buffer,
    batch.valueKind.buffer,
    batch.quality.buffer,
    batch.sessionRef.buffer,
  ] as ArrayBuffer[];
}

const QUALITY_CODE = { good: 0, uncertain: 1, bad: 2 } as const;
const FIRST_CAPACITY = 256;

/**
 * Collects pipeline output into one RowBatch at a time. Remembers the series
 * numbers it handed out across batches (the worker keeps the same table), so
 * a series' machine and signal names cross the thread once.
 */
export class RowBatchEncoder {
  private readonly seriesNumbers = new Map<string, Map<string, number>>();
  private seriesCount = 0;
  private batch: RowBatch;
  private capacity = FIRST_CAPACITY;
  private lastSession: string | undefined;
  private lastSessionRef = -1;
  private maxSeq = 0;

  constructor() {
    this.batch = this.emptyBatch();
  }

  /** Rows (observations + records) waiting in the current batch. */
  get pending(): number {
    return batchRows(this.batch);
  }

  /** Highest observation seq ever added. */
  get highestSeq(): number {
    return this.maxSeq;
  }

  add(out: PipelineOutput): void {
    for (const o of out.observations) this.addObservation(o);
    for (const event of out.events) this.batch.records.push({ kind: "event", event });
    for (const s of out.snapshots)
      this.batch.records.push({ kind: "state", machine: s.machine, ts: s.since, state: s.state });
  }

  /** Hands out the current batch (its buffers may be transferred) and starts a new one. */
  take(): RowBatch {
    const full = this.batch;
    this.batch = this.emptyBatch();
    return full;
  }

  /** Forget the series numbering: the worker that knew it is gone. */
  forgetSeries(): void {
    this.seriesNumbers.clear();
    this.seriesCount = 0;
    this.batch = this.emptyBatch();
  }

  private addObservation(o: Observation): void {
    const b = this.batch;
    if (b.rows === this.capacity) this.grow();
    const i = b.rows++;
    b.series[i] = this.seriesNumber(o);
    b.ts[i] = o.ts;
    b.seq[i] = o.seq;
    if (o.seq > this.maxSeq) this.maxSeq = o.seq;
    const v = o.value;
    if (typeof v === "number") {
      b.valueKind[i] = VALUE_NUM;
      b.num[i] = v;
    } else if (typeof v === "boolean") {
      b.valueKind[i] = VALUE_NUM;
      b.num[i] = v ? 1 : 0;
    } else if (typeof v === "string") {
      b.valueKind[i] = VALUE_TEXT;
      b.texts.push(v);
    } else {
      b.valueKind[i] = VALUE_NULL;
    }
    b.quality[i] = QUALITY_CODE[o.quality];
    b.sessionRef[i] = this.sessionRef(o.session);
    if (o.alarm) b.details.push({ row: i, json: JSON.stringify(o.alarm) });
  }

  private seriesNumber(o: Observation): number {
    let perMachine = this.seriesNumbers.get(o.machine);
    if (!perMachine) {
      perMachine = new Map();
      this.seriesNumbers.set(o.machine, perMachine);
    }
    let n = perMachine.get(o.signal);
    if (n === undefined) {
      n = this.seriesCount++;
      perMachine.set(o.signal, n);
      this.batch.newSeries.push({ machine: o.machine, signal: o.signal, unit: o.unit ?? null });
    }
    return n;
  }

  /** Consecutive rows mostly share one session, so the last one is checked first. */
  private sessionRef(session: string | undefined): number {
    if (session === undefined) return -1;
    if (session === this.lastSession) return this.lastSessionRef;
    const sessions = this.batch.sessions;
    let ref = sessions.indexOf(session);
    if (ref < 0) ref = sessions.push(session) - 1;
    this.lastSession = session;
    this.lastSessionRef = ref;
    return ref;
  }

  private grow(): void {
    const b = this.batch;
    this.capacity *= 2;
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(this.capacity);
      next.set(old);
      return next;
    };
    b.series = grown(b.series, (n) => new Int32Array(n));
    b.ts = grown(b.ts, (n) => new Float64Array(n));
    b.seq = grown(b.seq, (n) => new Float64Array(n));
    b.num = grown(b.num, (n) => new Float64Array(n));
    b.valueKind = grown(b.valueKind, (n) => new Uint8Array(n));
    b.quality = grown(b.quality, (n) => new Uint8Array(n));
    b.sessionRef = grown(b.sessionRef, (n) => new Int32Array(n));
  }

  private emptyBatch(): RowBatch {
    const n = FIRST_CAPACITY;
    this.capacity = n;
    this.lastSession = undefined;
    this.lastSessionRef = -1;
    return {
      rows: 0,
      firstNewSeries: this.seriesCount,
      newSeries: [],
      series: new Int32Array(n),
      ts: new Float64Array(n),
      seq: new Float64Array(n),
      num: new Float64Array(n),
      valueKind: new Uint8Array(n),
      quality: new Uint8Array(n),
      sessionRef: new Int32Array(n),
      sessions: [],
      texts: [],
      details: [],
      records: [],
    };
  }
}
