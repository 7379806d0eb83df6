import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";

// Every machine, MQTT and the web share one event loop: one input that takes
// seconds to handle (issue 13: a 96 KB SHDR line stalled /healthz for 19.8 s)
// stalls them all. prom-client already reports how late the loop runs
// (nodejs_eventloop_lag_*), but not *why*. This watchdog names the input.
//
// How: a timer ticks every `intervalMs`; a tick that comes more than
// `thresholdMs` late means the loop was held. Each batch of readings an adapter
// hands to the pipeline is timed on its way through — the time since the loop
// was last known free (the adapter's own parsing, before it emitted) plus the
// pipeline's — and the heaviest batch since the previous tick is the one the
// stall is blamed on: logged with its adapter and machine, and counted on
// /metrics. Work that emits nothing (a line that is only an error) cannot be
// timed this way; the log then says no input was seen.

export type InputSource = { adapter: string; protocol: string; machine: string };

export type StallWatchdogOptions = {
  log: Logger;
  registry: Registry;
  /** A tick this much later than planned is a stall (default 100 ms). */
  thresholdMs?: number;
  /** How often the loop is checked (default 50 ms; the timer does not keep the process alive). */
  intervalMs?: number;
  now?: () => number;
};

export type Stall = { ms: number; source: InputSource | undefined; inputMs: number };

const UNKNOWN: InputSource = { adapter: "unknown", protocol: "unknown", machine: "unknown" };

export class StallWatchdog {
  readonly thresholdMs: number;
  readonly intervalMs: number;
  /** Stalls seen since start (tests, health). */
  stalls = 0;
  last: Stall | undefined;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #count: Counter<"machine" | "protocol">;
  readonly #lastSeconds: Gauge<"machine" | "protocol">;
  #timer: NodeJS.Timeout | undefined;
  #lastTick = 0;
  /** When the loop was last known free: the last tick, or the end of the last timed batch. */
  #freeSince = 0;
  #heaviest: { source: InputSource; ms: number } | undefined;

  constructor(options: StallWatchdogOptions) {
    this.thresholdMs = options.thresholdMs ?? 100;
    this.intervalMs = options.intervalMs ?? 50;
    this.#log = options.log;
    this.#now = options.now ?? (() => performance.now());
    const registers = [options.registry];
    this.#count = new Counter({
      name: "maskinport_event_loop_stalls_total",
      help: "Times the event loop was held longer than the stall threshold, by the input handled last before it",
      labelNames: ["machine", "protocol"] as const,
      registers,
    });
    this.#lastSeconds = new Gauge({
      name: "maskinport_event_loop_last_stall_seconds",
      help: "How long the event loop was held in the last stall blamed on this machine's input",
      labelNames: ["machine", "protocol"] as const,
      registers,
    });
  }

  start(): void {
    if (this.#timer) return;
    this.#lastTick = this.#now();
    this.#freeSince = this.#lastTick;
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Run `work` (the pipeline for one adapter batch), timing it and the adapter's work before it. */
  observe<T>(source: InputSource, work: () => T): T {
    const start = this.#now();
    try {
      return work();
    } finally {
      const end = this.#now();
      const ms = end - Math.min(start, this.#freeSince);
      this.#freeSince = end;
      if (this.#heaviest === undefined || ms > this.#heaviest.ms) this.#heaviest = { source, ms };
    }
  }

  #tick(): void {
    const now = this.#now();
    const late = now - this.#lastTick - this.intervalMs;
    const heaviest = this.#heaviest;
    this.#lastTick = now;
    this.#freeSince = now;
    this.#heaviest = undefined;
    if (late <= this.thresholdMs) return;
    const source = heaviest?.source;
    const stall: Stall = { ms: Math.round(late), source, inputMs: Math.round(heaviest?.ms ?? 0) };
    this.stalls++;
    this.last = stall;
    const labels = { machine: (source ?? UNKNOWN).machine, protocol: (source ?? UNKNOWN).protocol };
    this.#count.inc(labels);
    this.#lastSeconds.set(labels, late / 1000);
    if (source) {
      this.#log.warn(
        { stallMs: stall.ms, adapter: source.adapter, machine: source.machine, inputMs: stall.inputMs },
        `event loop held for ${stall.ms} ms; heaviest input before it: ${source.adapter} (machine ${source.machine}, ${stall.inputMs} ms)`,
      );
    } else {
      this.#log.warn(
        { stallMs: stall.ms },
        `event loop held for ${stall.ms} ms; no adapter input was handled meanwhile`,
      );
    }
  }
}
