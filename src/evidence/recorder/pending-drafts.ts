import type { Logger } from "pino";
import { type Backoff, backoffDelay } from "../../core/backoff.ts";
import { draftRejected } from "../ledger/unavailable.ts";
import type { EvidenceDraft } from "./map-event.ts";

/** About two days of a school's machines (a cycle every few minutes on each of tens of machines). */
export const DEFAULT_MAX_PENDING = 100_000;
/** Drafts per `record` call while catching up after an outage. */
const BATCH = 500;
const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000 };
/** How long `close` waits for its last attempt. */
export const DEFAULT_CLOSE_WAIT_MS = 5000;

export type PendingDraftsStats = {
  /** Drafts waiting for the ledger, the one being recorded included. */
  pending: number;
  /** Drafts recorded after having been held through an outage. */
  recordedLate: number;
  /** Oldest drafts given up because more than `maxPending` were held. */
  droppedFull: number;
  /** Drafts that can never be sealed (invalid), set aside so the rest go on. */
  rejected: number;
  /** When the ledger was found unreachable, while it still is. */
  outageSince: number | undefined;
};

export type PendingDraftsOptions = {
  /** Seals drafts into the ledger (EvidenceService.record); all or nothing per call. */
  record(drafts: readonly EvidenceDraft[]): Promise<unknown>;
  /** Which failures are the draft's fault (default `draftRejected`); every other one is retried. */
  rejected?: (err: unknown) => boolean;
  /** After each successful record call. */
  onRecorded?: () => void;
  log: Logger;
  maxPending?: number;
  backoff?: Backoff;
  random?: () => number;
};

/**
 * Evidence drafts on their way to the ledger, held while it cannot be reached.
 * One `record` call at a time, oldest first: the ledger is a hash chain, so a
 * draft never overtakes one that failed before it. A failure the draft is not
 * at fault for (connection lost, PostgreSQL restarting) keeps everything and
 * retries with capped exponential backoff; a draft that can never be sealed is
 * found (its batch is retried one draft at a time), logged, counted and set
 * aside. Memory is bounded: beyond `maxPending` the oldest waiting drafts are
 * dropped, counted and logged once per outage. An outage is logged once when
 * it starts and once when everything held is recorded. Logs name types,
 * machines and counts only: a draft names its trainee in clear.
 */
export class PendingDrafts {
  readonly #o: PendingDraftsOptions;
  readonly #max: number;
  readonly #rejected: (err: unknown) => boolean;
  /** The queue is #items[#head …]; the first #inFlight of them are being recorded. */
  #items: EvidenceDraft[] = [];
  #head = 0;
  #inFlight = 0;
  /** Drafts still to be tried one at a time (a batch failed with a draft at fault in it). */
  #oneByOne = 0;
  #pumping: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #closed = false;
  #outage: { since: number; recordedLate: number; dropped: number; rejected: number } | undefined;
  readonly #stats = { recordedLate: 0, droppedFull: 0, rejected: 0 };

  constructor(options: PendingDraftsOptions) {
    this.#o = options;
    this.#max = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.#rejected = options.rejected ?? draftRejected;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get stats(): PendingDraftsStats {
    return { pending: this.size, ...this.#stats, outageSince: this.#outage?.since };
  }

  /** Queue drafts behind every one still waiting, and record them as soon as the ledger takes them. */
  add(drafts: readonly EvidenceDraft[]): void {
    if (drafts.length === 0) return;
    if (this.#closed) {
      this.#o.log.error({ ...summary(drafts) }, "evidence drafts arrived after stop and are not recorded");
      return;
    }
    for (const d of drafts) this.#items.push(d);
    const excess = this.size - this.#max;
    if (excess > 0) this.#dropOldest(excess);
    this.#kick();
  }

  /**
   * One last attempt to record what is held (waiting at most `waitMs`), then
   * stop; logs and returns how many drafts could not be recorded.
   */
  async close(waitMs = DEFAULT_CLOSE_WAIT_MS): Promise<number> {
    this.#closed = true;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.size > 0 && !this.#pumping) this.#pumping = this.#pump();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    await Promise.race([this.#pumping ?? Promise.resolve(), waited]);
    clearTimeout(timer);
    const left = this.size;
    if (left > 0) {
      this.#o.log.error(
        { drafts: left, ...summary(this.#items.slice(this.#head)), ...this.#outageFigures() },
        "evidence drafts could not be recorded before stop; they are lost",
      );
    }
    return left;
  }

  #kick(): void {
    if (this.#pumping || this.#timer !== undefined) return;
    this.#pumping = this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      while (this.size > 0) {
        const n = Math.min(this.#oneByOne > 0 ? 1 : BATCH, this.size);
        const chunk = this.#items.slice(this.#head, this.#head + n);
        this.#inFlight = n;
        let failure: { err: unknown } | undefined;
        try {
          await this.#o.record(chunk);
        } catch (err) {
          failure = { err };
        } finally {
          this.#inFlight = 0;
        }
        if (!failure) {
          this.#take(n);
          this.#oneByOne = Math.max(0, this.#oneByOne - n);
          this.#attempt = 0;
          if (this.#outage) {
            this.#outage.recordedLate += n;
            this.#stats.recordedLate += n;
          }
          this.#o.onRecorded?.();
          continue;
        }
        if (!this.#rejected(failure.err)) {
          this.#unreachable(failure.err);
          return;
        }
        if (n > 1) {
          // Which of them is at fault: the batch again, one draft at a time.
          this.#oneByOne = n;
          continue;
        }
        const [bad] = this.#take(1);
        this.#oneByOne = Math.max(0, this.#oneByOne - 1);
        this.#stats.rejected++;
        if (this.#outage) this.#outage.rejected++;
        this.#o.log.error(
          { type: bad!.type, machine: bad!.machine, error: errorText(failure.err) },
          "evidence draft rejected by the ledger; set aside, the others are recorded",
        );
      }
      this.#recovered();
    } finally {
      this.#pumping = undefined;
    }
  }

  /** The ledger could not take the oldest drafts: hold everything and try again after a backoff. */
  #unreachable(err: unknown): void {
    if (!this.#outage) {
      this.#outage = { since: Date.now(), recordedLate: 0, dropped: 0, rejected: 0 };
      this.#o.log.warn(
        { held: this.size, error: errorText(err) },
        `evidence ledger unreachable; ${this.size} drafts held, retrying`,
      );
    }
    if (this.#closed) return;
    const delay = backoffDelay(this.#attempt++, this.#o.backoff ?? DEFAULT_BACKOFF, this.#o.random);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, delay);
    this.#timer.unref?.();
  }

  #recovered(): void {
    const outage = this.#outage;
    if (!outage) return;
    this.#outage = undefined;
    this.#o.log.info(
      { recordedLate: outage.recordedLate, outageMs: Date.now() - outage.since, ...dropFigures(outage) },
      `evidence ledger reachable again; ${outage.recordedLate} held drafts recorded`,
    );
  }

  #dropOldest(count: number): void {
    // Never the drafts being recorded right now: they may already be in.
    const from = this.#head + this.#inFlight;
    const dropped = this.#items.splice(from, count);
    this.#stats.droppedFull += dropped.length;
    if (this.#outage) {
      if (this.#outage.dropped === 0) {
        this.#o.log.error(
          { maxPending: this.#max, ...summary(dropped) },
          `more than ${this.#max} evidence drafts held; the oldest are dropped (counted in maskinport_evidence_dropped_drafts_total)`,
        );
      }
      this.#outage.dropped += dropped.length;
    } else {
      this.#o.log.error(
        { maxPending: this.#max, dropped: dropped.length, ...summary(dropped) },
        "evidence drafts dropped: more held than the limit",
      );
    }
  }

  #take(n: number): EvidenceDraft[] {
    const taken = this.#items.slice(this.#head, this.#head + n);
    this.#head += n;
    // Compact now and then, so taking from the front stays cheap.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return taken;
  }

  #outageFigures(): Record<string, number> {
    const o = this.#outage;
    return o ? { recordedLate: o.recordedLate, outageMs: Date.now() - o.since, ...dropFigures(o) } : {};
  }
}

function dropFigures(o: { dropped: number; rejected: number }): Record<string, number> {
  return {
    ...(o.dropped > 0 ? { dropped: o.dropped } : {}),
    ...(o.rejected > 0 ? { rejected: o.rejected } : {}),
  };
}

/** Counts by type and by machine: never who. */
function summary(drafts: readonly EvidenceDraft[]): {
  types: Record<string, number>;
  machines: Record<string, number>;
} {
  const types: Record<string, number> = {};
  const machines: Record<string, number> = {};
  for (const d of drafts) {
    types[d.type] = (types[d.type] ?? 0) + 1;
    const m = d.machine ?? "-";
    machines[m] = (machines[m] ?? 0) + 1;
  }
  return { types, machines };
}

/** The error's code and message only: its other fields (pg's `detail`, the query) may hold values. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? `${code}: ${err.message}` : err.message;
}
