import type { Logger } from "pino";
import type { Adapter, PipelineOutput, Sink } from "../core/contracts.ts";
import type { MachineEvent } from "../core/events.ts";
import type { Reading } from "../core/observation.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import type { SharedOutbox } from "../sinks/outbox/shared-outbox.ts";
import type { Metrics } from "../web/metrics.ts";
import { type HealthReport, healthOf } from "./health.ts";
import { IntakeGate } from "./intake.ts";
import type { StallWatchdog } from "./stall-watchdog.ts";
import type { StopList } from "./stop-list.ts";

/** How often throttled state snapshots are emitted (pipeline.tick). */
const TICK_MS = 250;

export type GatewayParts = {
  pipeline: Pipeline;
  /** Every sink, started; they get each pipeline output in this order. */
  sinks: readonly Sink[];
  /** The shared outbox and the sinks that write through it (src/sinks/outbox/README.md). */
  outbox?: { log: SharedOutbox; sinks: ReadonlySet<Sink> } | undefined;
  metrics: Metrics;
  log: Logger;
  /** What the builder started (broker, sinks, web server …), closed in reverse after the adapters stop. */
  stopList: StopList;
  /** Reported in /healthz next to the adapters. */
  mqtt?: { readonly connected: boolean } | undefined;
  /** Times each adapter batch, so a stalled event loop names the input that held it. */
  watchdog?: StallWatchdog | undefined;
};

/**
 * The running gateway, given its parts: readings from the adapters go
 * through the pipeline to every sink and live listener, a tick emits
 * throttled snapshots, and stop runs in reverse (adapters, a last tick, then
 * the stop list) so buffered data is flushed. Knows no config and no
 * protocol: gateway.ts builds the parts from a config, tests may hand in
 * their own.
 */
export class GatewayCore {
  readonly metrics: Metrics;
  readonly #parts: GatewayParts;
  readonly #listeners = new Set<(out: PipelineOutput) => void>();
  #adapters: Adapter[] = [];
  readonly #healthChecks = new Map<string, () => { ok: boolean; detail?: string }>();
  #tickTimer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(parts: GatewayParts) {
    this.#parts = parts;
    this.metrics = parts.metrics;
  }

  get pipeline(): Pipeline {
    return this.#parts.pipeline;
  }

  /** Subscribe to every pipeline output (the live page); returns the unsubscribe. */
  onUpdate(listener: (out: PipelineOutput) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** An event that does not come from readings (a DNC transfer), tagged with the machine's session. */
  publishEvent(event: MachineEvent): void {
    const session = this.#parts.pipeline.snapshot(event.machine).session ?? undefined;
    this.#dispatch({ observations: [], events: [session ? { ...event, session } : event], snapshots: [] });
  }

  /**
   * Who is at a machine now (a check-in session's pseudonym, null when it
   * became free): from here every observation and event of the machine
   * carries it, and the session.start / session.end events are published.
   */
  applySession(machine: string, pseudonym: string | null, ts: number): void {
    this.#dispatch(this.#parts.pipeline.setSession(machine, pseudonym, ts));
  }

  health(): HealthReport {
    return healthOf({
      running: this.#running,
      adapters: this.#adapters,
      mqtt: this.#parts.mqtt,
      more: this.#healthChecks,
    });
  }

  /** A part wired in later (the evidence ledger) reported in /healthz under `name`. */
  addHealthCheck(name: string, check: () => { ok: boolean; detail?: string }): void {
    this.#healthChecks.set(name, check);
  }

  /** Start the adapters and the tick: from here readings flow. */
  run(adapters: readonly Adapter[]): void {
    const { log, metrics, outbox, stopList } = this.#parts;
    this.#adapters = [...adapters];
    // Counters are read from the adapters' own stats at scrape time.
    metrics.trackAdapters(() => this.#adapters);
    metrics.trackSinks(() => this.#parts.sinks);
    // Outboxes full under the `pause` policy make adapters stop reading.
    const intake = new IntakeGate(outbox ? [outbox.log] : []);
    stopList.add("intake gate", async () => intake.close());
    intake.onChange((paused) =>
      log.warn({ paused }, paused ? "intake paused: an outbox is full" : "intake resumed"),
    );
    for (const adapter of this.#adapters) {
      const adapterLog = log.child({ adapter: adapter.id });
      adapter
        .start({ emit: (readings) => this.#emit(adapter, readings), log: adapterLog, intake })
        .catch((err) => {
          // Adapters reconnect by themselves; a start that throws is a bug or a
          // configuration the schema could not catch (e.g. an unreadable file).
          adapterLog.error({ err }, "adapter failed to start; its machines stay offline");
        });
    }
    this.#tickTimer = setInterval(() => this.#dispatch(this.#parts.pipeline.tick()), TICK_MS);
    this.#parts.watchdog?.start();
    this.#running = true;
  }

  /** Reverse order of start: adapters stop first, a last tick, then everything buffered is flushed. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#parts.watchdog?.stop();
    clearInterval(this.#tickTimer);
    this.#tickTimer = undefined;
    await Promise.allSettled(this.#adapters.map((a) => a.stop()));
    this.#adapters = [];
    this.#dispatch(this.#parts.pipeline.tick(Number.POSITIVE_INFINITY));
    await this.#parts.stopList.closeAll(this.#parts.log);
    this.#listeners.clear();
  }

  /** One adapter batch, timed by the watchdog when there is one (its parsing and its pipeline time). */
  #emit(adapter: Adapter, readings: readonly Reading[]): void {
    const watchdog = this.#parts.watchdog;
    if (!watchdog) {
      this.#process(readings);
      return;
    }
    const source = {
      adapter: adapter.id,
      protocol: adapter.protocol,
      machine: readings[0]?.machine ?? adapter.machines[0] ?? "",
    };
    watchdog.observe(source, () => this.#process(readings));
  }

  #process(readings: readonly Reading[]): void {
    const endTimer = this.metrics.pipelineBatchSeconds.startTimer();
    const out = this.#parts.pipeline.process(readings);
    endTimer();
    this.#dispatch(out);
  }

  /**
   * Hand one pipeline output to every sink and live listener; a failing consumer never stops the others.
   * The outboxed sinks append inside one batch of the shared outbox: their sections become one
   * record, one write, so a crash leaves the output with all of them or none. Sinks outside the
   * outbox (the embedded store) come after that write.
   */
  #dispatch(out: PipelineOutput): void {
    if (out.observations.length === 0 && out.events.length === 0 && out.snapshots.length === 0) return;
    const { sinks, outbox, log } = this.#parts;
    for (const e of out.events) this.metrics.events.inc({ type: e.type });
    for (const s of out.snapshots) this.metrics.setMachineState(s.machine, s.state);
    if (outbox) {
      try {
        outbox.log.batch(() => {
          for (const sink of sinks) if (outbox.sinks.has(sink)) this.#writeTo(sink, out);
        });
      } catch (err) {
        log.error({ err }, "outbox write failed");
      }
    }
    for (const sink of sinks) if (!outbox?.sinks.has(sink)) this.#writeTo(sink, out);
    for (const listener of this.#listeners) {
      try {
        listener(out);
      } catch (err) {
        log.error({ err }, "live listener failed");
      }
    }
  }

  #writeTo(sink: Sink, out: PipelineOutput): void {
    try {
      sink.write(out);
    } catch (err) {
      this.metrics.sinkErrors.inc({ sink: sink.name });
      this.#parts.log.error({ err, sink: sink.name }, "sink write failed");
    }
  }
}
