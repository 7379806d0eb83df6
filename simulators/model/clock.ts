// Runs a MachineModel in real time × timeScale and tells listeners what changed.
// Protocol simulators subscribe and turn each change into their wire format
// (an SHDR line, an OPC UA value change, an MTConnect observation).
import { type MachineModel, type ModelState, TICK_MS } from "./machine-model.ts";

/** The fields of ModelState that changed (axes and alarms are reported whole when any part changed). */
export type ModelChange = Partial<ModelState>;

export type ModelListener = (change: ModelChange, state: ModelState, previous: ModelState) => void;

export type ModelDriverOptions = {
  /** Simulated time per real time (default 1; 10 = ten times faster than real time). */
  timeScale?: number;
  /**
   * How often the driver advances the model and reports changes, real ms. Default: one
   * model tick per report (100 ms / timeScale, between 10 and 100 ms), so that a spindle
   * ramp still shows as a ramp when time runs faster.
   */
  intervalMs?: number;
  /** Monotonic clock in ms (default performance.now); tests may inject their own. */
  now?: () => number;
  /** A first listener (more with subscribe()). */
  onChange?: ModelListener;
};

const KEYS = [
  "power",
  "execution",
  "mode",
  "program",
  "line",
  "partCount",
  "spindleSpeed",
  "spindleSpeedCmd",
  "spindleLoad",
  "spindleOverride",
  "feedRate",
  "feedOverride",
  "rapidOverride",
  "tool",
  "estop",
  "message",
] as const satisfies readonly (keyof ModelState)[];

function sameAlarms(a: ModelState["alarms"], b: ModelState["alarms"]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i];
      return y !== undefined && x.code === y.code && x.severity === y.severity && x.text === y.text;
    })
  );
}

/** The fields that differ between two states; an empty object when nothing changed. */
export function diffState(previous: ModelState, next: ModelState): ModelChange {
  const change: Record<string, unknown> = {};
  for (const key of KEYS) {
    if (previous[key] !== next[key]) change[key] = next[key];
  }
  const a = previous.axes;
  const b = next.axes;
  if (a.x !== b.x || a.y !== b.y || a.z !== b.z) change.axes = { ...b };
  if (!sameAlarms(previous.alarms, next.alarms)) change.alarms = next.alarms.map((x) => ({ ...x }));
  return change as ModelChange;
}

export class ModelDriver {
  readonly model: MachineModel;
  readonly timeScale: number;
  readonly intervalMs: number;
  readonly #now: () => number;
  readonly #listeners = new Set<ModelListener>();
  #timer: NodeJS.Timeout | null = null;
  #lastTick = 0;
  #state: ModelState;

  constructor(model: MachineModel, options: ModelDriverOptions = {}) {
    const timeScale = options.timeScale ?? 1;
    const intervalMs = options.intervalMs ?? Math.min(100, Math.max(10, Math.round(TICK_MS / timeScale)));
    if (!(timeScale > 0) || !Number.isFinite(timeScale))
      throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
    if (!(intervalMs >= 1) || !Number.isFinite(intervalMs)) {
      throw new RangeError(`intervalMs must be ≥ 1, got ${intervalMs}`);
    }
    this.model = model;
    this.timeScale = timeScale;
    this.intervalMs = intervalMs;
    this.#now = options.now ?? (() => performance.now());
    this.#state = model.state();
    if (options.onChange) this.#listeners.add(options.onChange);
  }

  /** The state as last reported to listeners. */
  get state(): ModelState {
    return this.#state;
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  subscribe(listener: ModelListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    if (this.#timer) return;
    this.#lastTick = this.#now();
    this.#timer = setInterval(() => this.poll(), this.intervalMs);
    // The simulator's sockets keep a process alive, not this timer.
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /**
   * Advance the model by the real time since the last poll × timeScale and report
   * the change. Also picks up scripted actions made since the last poll. Returns
   * the change (empty when nothing changed).
   */
  poll(): ModelChange {
    const now = this.#now();
    if (this.#timer) {
      this.model.advance(Math.max(0, now - this.#lastTick) * this.timeScale);
    }
    this.#lastTick = now;
    const next = this.model.state();
    const previous = this.#state;
    const change = diffState(previous, next);
    this.#state = next;
    if (Object.keys(change).length > 0) {
      for (const listener of this.#listeners) listener(change, next, previous);
    }
    return change;
  }
}
