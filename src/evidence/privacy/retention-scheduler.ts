import type { Logger } from "pino";
import { endOfDayAfter } from "../../training/sessions/end-of-day.ts";
import type { RetentionPolicy } from "../config.ts";
import { applyRetention, type CourseTerm, type RetentionActions, retentionPlan } from "./retention.ts";

/** The clock the scheduler runs on: the real one, or a fake one in tests. */
export type SchedulerClock = {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

const realClock: SchedulerClock = {
  now: Date.now,
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref(); // retention never holds a stopping gateway open
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export type RetentionSchedulerOptions = {
  policy: RetentionPolicy;
  /** Courses with their end instants and trainee ids (training layer: `trainingRetentionSource`). */
  courses(): Promise<CourseTerm[]>;
  actions: RetentionActions;
  /** Site time zone (gateway.timeZone) in which `at` is read. */
  timeZone: string;
  /** Local time of the daily run, "HH:MM". Default 03:00: the school is closed, the machines idle. */
  at?: string;
  log: Logger;
  clock?: SchedulerClock;
};

export type RetentionStats = {
  runs: number;
  failures: number;
  erased: number;
  sessionLinksDeleted: number;
  lastSuccessAt: number | undefined;
  nextRunAt: number | undefined;
};

/**
 * Runs the retention plan once at start and then daily at a fixed local hour
 * (DST-safe: "03:00 Europe/Oslo" is found afresh every day). A failed run is
 * logged and counted and the next day's run tries again; runs never overlap.
 */
export class RetentionScheduler {
  readonly stats: RetentionStats = {
    runs: 0,
    failures: 0,
    erased: 0,
    sessionLinksDeleted: 0,
    lastSuccessAt: undefined,
    nextRunAt: undefined,
  };
  readonly #o: RetentionSchedulerOptions;
  readonly #clock: SchedulerClock;
  readonly #at: string;
  #timer: unknown;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(options: RetentionSchedulerOptions) {
    const at = options.at ?? "03:00";
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(at))
      throw new Error(`retention run time must be HH:MM (00:00–23:59), got "${at}"`);
    this.#o = options;
    this.#at = at;
    this.#clock = options.clock ?? realClock;
  }

  /** Run now, then schedule the daily runs. Resolves after the first run (a failure is logged, not thrown). */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.runNow();
    this.#schedule();
  }

  stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.stats.nextRunAt = undefined;
    return this.#running ?? Promise.resolve();
  }

  /** One run of the plan (also for an operator's "run retention now"). */
  runNow(): Promise<void> {
    if (!this.#running) {
      this.#running = this.#run().finally(() => {
        this.#running = undefined;
      });
    }
    return this.#running;
  }

  async #run(): Promise<void> {
    const now = this.#clock.now();
    this.stats.runs++;
    try {
      const plan = retentionPlan(now, await this.#o.courses(), this.#o.policy);
      const done = await applyRetention(now, plan, this.#o.actions, this.#o.log);
      this.stats.erased += done.erased;
      this.stats.sessionLinksDeleted += done.sessionLinksDeleted;
      this.stats.lastSuccessAt = now;
      this.#o.log.info(
        { erased: done.erased, sessionLinksDeleted: done.sessionLinksDeleted },
        "retention run finished",
      );
    } catch (err) {
      this.stats.failures++;
      this.#o.log.error({ err }, "retention run failed; tried again at the next daily run");
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    const now = this.#clock.now();
    const next = endOfDayAfter(now, this.#at, this.#o.timeZone);
    this.stats.nextRunAt = next;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.runNow().then(() => this.#schedule());
    }, next - now);
  }
}
