import type { Logger } from "pino";
import type { MachineEvent, MachineSnapshot } from "./events.ts";
import type { Observation, Protocol, Reading } from "./observation.ts";

/**
 * Counters an adapter keeps about itself. The gateway turns them into
 * Prometheus metrics; adapters never import prom-client.
 */
export type AdapterStats = {
  /** Readings emitted. */
  readings: number;
  /** Keys/items the adapter could not map to the catalogue (they flow as raw.<key>). */
  unmapped: number;
  /** Bad input (unparseable lines, frames, documents): logged and counted, never fatal. */
  errors: number;
  /** Connection (re)established count. */
  connects: number;
  connected: boolean;
  /** Items dropped by a safety bound (e.g. SHDR keys beyond maxKeys), for adapters that have one. */
  dropped?: number;
};

export function newAdapterStats(): AdapterStats {
  return { readings: 0, unmapped: 0, errors: 0, connects: 0, connected: false };
}

/**
 * Backpressure from the sinks: `paused` is true while a durable outbox is
 * full under the `pause` policy. An adapter that can stop reading (a TCP
 * stream) does so until it flips back, so the machine side buffers instead
 * of the gateway refusing data it has already read.
 */
export interface IntakeControl {
  readonly paused: boolean;
  onChange(listener: (paused: boolean) => void): () => void;
}

export type AdapterContext = {
  /** Hand readings to the pipeline. A batch is processed synchronously and in order. */
  emit(readings: readonly Reading[]): void;
  /** Already bound to `{ adapter: id }` by the gateway core: adapters log to it as it is. */
  log: Logger;
  /** Optional: adapters that can pause reading honour it (see IntakeControl). */
  intake?: IntakeControl;
};

/**
 * One connection to one machine or agent (DESIGN.md: adapters never know about
 * MQTT or storage). Life cycle: construct with validated config → start →
 * emit … → stop. Connection loss is data: the adapter emits
 * `availability: null`-style readings (see `unavailableReadings`) rather than
 * throwing, and reconnects by itself with capped backoff.
 */
export interface Adapter {
  /** Stable id for logs and metrics, e.g. "shdr:lathe-1". */
  readonly id: string;
  readonly protocol: Protocol;
  /** The machine ids this adapter feeds (an MTConnect agent may serve several). */
  readonly machines: readonly string[];
  readonly stats: AdapterStats;
  start(ctx: AdapterContext): Promise<void>;
  stop(): Promise<void>;
}

/** What the pipeline hands to sinks after each batch. */
export type PipelineOutput = {
  observations: readonly Observation[];
  events: readonly MachineEvent[];
  /** Machines whose snapshot changed in a way sinks should publish now. */
  snapshots: readonly MachineSnapshot[];
};

/**
 * A consumer of pipeline output (MQTT, time-series store, live view…). `write`
 * must not block: sinks buffer and flush on their own schedule. A sink that
 * leaves the process goes through a durable outbox (issue #6).
 */
export interface Sink {
  readonly name: string;
  start(): Promise<void>;
  write(out: PipelineOutput): void;
  /** Flush what is buffered, then release resources. */
  stop(): Promise<void>;
  /** Items buffered but not yet delivered (exported as queue depth). */
  queueDepth(): number;
}
