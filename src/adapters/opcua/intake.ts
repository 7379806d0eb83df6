// Intake backpressure for OPC UA. While the gateway's intake is paused (an
// outbox is full under its `pause` policy) the subscription stops publishing
// (SetPublishingMode false, OPC 10000-4 5.13.4): the server keeps sampling
// into the monitored items' queues (oldest dropped first) and the event
// queue, and sends only keep-alives, so the session stays healthy and the
// machine does not look offline. On resume the queued values and events
// arrive, and a ConditionRefresh repairs whatever alarm events a long pause
// pushed out of the event queue.
import type { StatusCode } from "node-opcua-client";
import type { Logger } from "pino";

export type PublishingTarget = {
  /** A bad status: the server said no. A throw: the call failed (no channel, timeout). */
  setPublishing(enabled: boolean): Promise<StatusCode>;
};

export type IntakePublishingOptions = {
  log: Logger;
  /** Publishing is back on after a pause: ask the server for the current alarms. */
  resumed(): void;
  /** Publishing could not be re-enabled: only a new subscription brings the data back. */
  stuck(reason: string): void;
};

type Why = "change" | "connect" | "restore";

/** Keeps the subscription's publishing mode in step with the intake, across reconnects. */
export class IntakePublishing {
  readonly #options: IntakePublishingOptions;
  #paused = false;
  #target: PublishingTarget | undefined;
  /** Might the server's subscription be disabled right now? False once it refused a pause. */
  #mayBeDisabled = false;
  /** Bumped per request and per connection: a late answer to an older request changes nothing. */
  #generation = 0;

  constructor(options: IntakePublishingOptions) {
    this.#options = options;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** The intake flipped (IntakeControl.onChange). Logged once per pause and once per resume. */
  set(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    const { log } = this.#options;
    if (paused) log.warn("intake paused: OPC UA publishing disabled, the server queues values and events");
    else log.info("intake resumed");
    const target = this.#target;
    // Not connected: the next subscription is created in the right mode.
    if (!target) return;
    // Resuming a subscription the server never disabled (it refused): nothing to undo.
    if (!paused && !this.#mayBeDisabled) return;
    void this.#request(target, !paused, "change");
  }

  /** A new connection, its subscription created publishing or not: make it follow the intake. */
  attach(target: PublishingTarget, createdPublishing: boolean): void {
    this.#target = target;
    this.#generation++;
    this.#mayBeDisabled = !createdPublishing;
    if (createdPublishing !== this.#paused) return;
    void this.#request(target, !this.#paused, "connect");
  }

  /** The connection is gone for good (a new one will be attached). */
  detach(): void {
    this.#target = undefined;
    this.#generation++;
  }

  /**
   * The session came back after a channel loss: node-opcua transferred the
   * subscription or recreated it (from its client-side publishing flag). Say
   * the mode again, in case a request got lost with the channel.
   */
  restored(): void {
    const target = this.#target;
    if (!target || (!this.#paused && !this.#mayBeDisabled)) return;
    void this.#request(target, !this.#paused, "restore");
  }

  async #request(target: PublishingTarget, enabled: boolean, why: Why): Promise<void> {
    const generation = ++this.#generation;
    if (!enabled) this.#mayBeDisabled = true;
    let failure: string | undefined;
    let refused = false;
    try {
      const status = await target.setPublishing(enabled);
      if (!status.isGood()) {
        failure = status.name;
        refused = true;
      }
    } catch (err) {
      failure = String((err as Error)?.message ?? err);
    }
    // A newer request or connection decides now.
    if (generation !== this.#generation || target !== this.#target) return;
    const { log } = this.#options;
    if (failure === undefined) {
      this.#mayBeDisabled = !enabled;
      log.debug({ publishing: enabled, why }, "OPC UA publishing mode set");
      if (enabled && why === "change") this.#options.resumed();
      return;
    }
    if (!enabled) {
      // Today's behaviour as the fallback: values keep coming, the outbox refuses what exceeds its headroom.
      if (refused) this.#mayBeDisabled = false;
      log.error(
        { status: failure, why },
        refused
          ? `the OPC UA server refused to disable publishing (${failure}): this adapter keeps delivering while the intake is paused`
          : `could not disable OPC UA publishing (${failure}): asked again when the session is restored, values may keep coming meanwhile`,
      );
      return;
    }
    log.error({ status: failure, why }, `could not re-enable OPC UA publishing (${failure})`);
    this.#options.stuck(failure);
  }
}
