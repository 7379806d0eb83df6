import type { Logger } from "pino";
import { type Backoff, backoffDelay } from "../../core/backoff.ts";
import type { Adapter, AdapterContext, AdapterStats } from "../../core/contracts.ts";
import type { Reading } from "../../core/observation.ts";
import { AgentClient, type AgentClientOptions } from "./agent-client.ts";
import { isBadInput, ResyncNeeded } from "./errors.ts";

// One MTConnect agent (one URL) feeding one or more machines. The adapter
// runs the agent protocol (agent-client.ts) in a supervised loop: a re-sync
// (agent restart, OUT_OF_RANGE, gap) goes again at once; a failure waits a
// capped, jittered backoff. A connection lost for longer than offlineAfterMs
// becomes data — availability UNAVAILABLE for each machine — while a short blip (an
// agent restart) stays invisible, so it neither ends nor restarts a cycle.

export type MtconnectAdapterOptions = AgentClientOptions & {
  offlineAfterMs: number;
  reconnect: Backoff;
};

export type MtconnectStats = AdapterStats & {
  /** Documents (responses and multipart parts) processed completely. */
  documents: number;
  /** Observations parsed (before mapping). */
  observations: number;
  /** Re-syncs from /current for any reason. */
  resyncs: number;
  /** Re-syncs because the agent no longer had what we needed (OUT_OF_RANGE, firstSequence jump). */
  gaps: number;
  /** Sequence numbers known to be lost in those gaps. */
  lostSequences: number;
  /** Agent restarts seen (new instanceId → re-probe). */
  instanceChanges: number;
  /** Connection losses (refused, reset, stream closed, heartbeat timeout). */
  disconnects: number;
  lastError: string | undefined;
};

/** Consecutive re-syncs allowed without backoff; an agent that keeps answering OUT_OF_RANGE is throttled. */
const FREE_RESYNCS = 3;

export class MtconnectAdapter implements Adapter {
  readonly id: string;
  readonly protocol = "mtconnect" as const;
  readonly machines: readonly string[];
  readonly stats: MtconnectStats = {
    readings: 0,
    unmapped: 0,
    errors: 0,
    connects: 0,
    connected: false,
    documents: 0,
    observations: 0,
    resyncs: 0,
    gaps: 0,
    lostSequences: 0,
    instanceChanges: 0,
    disconnects: 0,
    lastError: undefined,
  };
  private readonly options: MtconnectAdapterOptions;
  private readonly random: () => number;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private offlineTimer: NodeJS.Timeout | undefined;
  private offlineReported = false;
  private client: AgentClient | undefined;

  constructor(options: MtconnectAdapterOptions, deps: { random?: () => number } = {}) {
    this.options = options;
    this.random = deps.random ?? Math.random;
    this.machines = options.machines.map((m) => m.id);
    this.id = `mtconnect:${options.url}`;
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.loop) throw new Error(`${this.id} already started`);
    this.abort = new AbortController();
    const log = ctx.log;
    let failures = 0;
    let resyncStreak = 0;
    const emit = (readings: Reading[]) => {
      this.stats.readings += readings.length;
      ctx.emit(readings);
    };
    const client = new AgentClient(this.options, {
      log,
      emit,
      intake: ctx.intake,
      progress: () => {
        failures = 0;
        resyncStreak = 0;
        this.stats.documents = client.documents;
        this.stats.observations = client.observations;
        this.stats.unmapped = client.unmappedItems;
        if (!this.stats.connected) this.connected(log, client);
      },
    });
    this.client = client;
    this.armOfflineTimer(emit, log);
    this.loop = (async () => {
      const signal = this.abort.signal;
      while (!signal.aborted) {
        try {
          await client.run(signal);
        } catch (e) {
          if (signal.aborted) break;
          if (e instanceof ResyncNeeded) {
            this.countResync(e, log);
            if (++resyncStreak <= FREE_RESYNCS) continue;
          } else {
            this.failed(e, log, emit);
          }
          await sleep(backoffDelay(failures++, this.options.reconnect, this.random), signal);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error(`${this.id} stopped`));
    clearTimeout(this.offlineTimer);
    this.offlineTimer = undefined;
    await this.loop;
    this.loop = undefined;
    this.stats.connected = false;
  }

  private connected(log: Logger, client: AgentClient): void {
    this.stats.connected = true;
    this.stats.connects++;
    clearTimeout(this.offlineTimer);
    this.offlineTimer = undefined;
    this.offlineReported = false;
    log.info(
      { url: this.options.url, instanceId: client.instanceId, machines: this.machines },
      "mtconnect agent connected",
    );
  }

  private countResync(e: ResyncNeeded, log: Logger): void {
    this.stats.resyncs++;
    if (e.reason === "instance-changed") this.stats.instanceChanges++;
    else {
      this.stats.gaps++;
      this.stats.lostSequences += e.lost;
    }
    log.info({ reason: e.reason, lost: e.lost, detail: e.message }, "mtconnect re-sync from /current");
  }

  private failed(e: unknown, log: Logger, emit: (r: Reading[]) => void): void {
    const message = e instanceof Error ? e.message : String(e);
    this.stats.lastError = message;
    if (isBadInput(e)) this.stats.errors++;
    else this.stats.disconnects++;
    log.warn(
      { error: message, badInput: isBadInput(e) },
      "mtconnect agent problem; reconnecting with backoff",
    );
    if (this.stats.connected) {
      this.stats.connected = false;
      this.armOfflineTimer(emit, log);
    }
  }

  /** After offlineAfterMs without a working connection, report the machines offline (once). */
  private armOfflineTimer(emit: (r: Reading[]) => void, log: Logger): void {
    if (this.offlineTimer || this.offlineReported) return;
    this.offlineTimer = setTimeout(() => {
      this.offlineTimer = undefined;
      if (this.stats.connected || this.abort.signal.aborted) return;
      this.offlineReported = true;
      this.client?.resetAfterOutage();
      const rx = Date.now();
      log.warn(
        { url: this.options.url, machines: this.machines },
        "mtconnect agent unreachable; machines offline",
      );
      emit(
        this.machines.map((machine) => ({
          machine,
          signal: "availability",
          value: "UNAVAILABLE",
          ts: rx,
          rx,
          quality: "good",
          source: { protocol: "mtconnect", ref: "agent" },
        })),
      );
    }, this.options.offlineAfterMs);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
