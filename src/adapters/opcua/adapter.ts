import type { DataValue } from "node-opcua-client";
import type { Logger } from "pino";
import { backoffDelay } from "../../core/backoff.ts";
import {
  type Adapter,
  type AdapterContext,
  type AdapterStats,
  newAdapterStats,
} from "../../core/contracts.ts";
import type { AlarmDetail, Reading } from "../../core/observation.ts";
import type { TypeResolver } from "./browse.ts";
import { type KnownType, UA } from "./companion-types.ts";
import type { OpcuaMonitorConfig } from "./config.ts";
import { type OpcuaConnection, openConnection } from "./connection.ts";
import { ConnectError } from "./connection-error.ts";
import type { Binding } from "./convert.ts";
import { alarmsMissingAfterRefresh, classifyEvent, eventFieldsFromArray } from "./event-convert.ts";
import { IntakePublishing } from "./intake.ts";
import { routeNodeOpcuaLogs } from "./node-opcua-log.ts";
import { ReadingAssembler } from "./readings.ts";
import { SessionPool } from "./session-pool.ts";

export type OpcuaAdapterOptions = {
  machine: string;
  /** The validated `monitor:` section (defaults applied by the schema). */
  config: OpcuaMonitorConfig;
  /** Jitter source for the reconnect backoff (tests pin it). */
  random?: () => number;
  /**
   * Sessions shared with the other machines on the same server and login
   * (group.ts gives every adapter of a gateway the same pool). Default: a
   * pool of its own, i.e. a session of its own.
   */
  sessions?: SessionPool;
};

export type OpcuaAdapterState = "idle" | "connecting" | "connected" | "reconnecting" | "stopped";

type EventTypeKind = KnownType | "RefreshStart" | "RefreshEnd" | undefined;

/**
 * OPC UA client for one machine (DESIGN.md adapter life cycle). connection.ts
 * does one attempt; this class retries failed attempts with capped backoff,
 * turns notifications into readings (batched per publish), keeps the alarm
 * lifecycle straight across ConditionRefresh, and reports outages as
 * `availability` only when a reconnect does not come back within
 * `offlineAfterMs` — a server restart must not end cycles or re-raise alarms.
 */
export class OpcuaAdapter implements Adapter {
  readonly id: string;
  readonly protocol = "opcua" as const;
  readonly machines: readonly string[];
  readonly stats: AdapterStats = newAdapterStats();

  readonly #machine: string;
  readonly #config: OpcuaMonitorConfig;
  readonly #random: () => number;
  readonly #sessions: SessionPool;
  readonly #abort = new AbortController();

  #ctx: AdapterContext | undefined;
  #log: Logger | undefined;
  /** Publishing follows the gateway's intake (paused while an outbox is full). */
  #publishing: IntakePublishing | undefined;
  #stopIntake: (() => void) | undefined;
  #state: OpcuaAdapterState = "idle";
  #connection: OpcuaConnection | undefined;
  #assembler: ReadingAssembler | undefined;
  #types: TypeResolver | undefined;
  #eventTypes = new Map<string, EventTypeKind>();
  #eventQueue: Promise<void> = Promise.resolve();
  #eventSources: ReadonlySet<string> | null = null;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #offlineTimer: NodeJS.Timeout | undefined;
  /** What we last told the pipeline: null = nothing yet. */
  #online: boolean | null = null;
  /** Alarms we reported active: key → native codes. */
  #active = new Map<string, Set<string>>();
  /** Codes reported active during a ConditionRefresh, or null outside one. */
  #refreshed: Map<string, Set<string>> | null = null;
  #pending: Reading[] = [];
  #flushQueued = false;
  #problems: string[] = [];
  #lastError: string | null = null;

  constructor(options: OpcuaAdapterOptions) {
    this.#machine = options.machine;
    this.#config = options.config;
    this.#random = options.random ?? Math.random;
    this.#sessions = options.sessions ?? new SessionPool();
    this.id = `opcua:${options.machine}`;
    this.machines = [options.machine];
  }

  get state(): OpcuaAdapterState {
    return this.#state;
  }

  /** Why the last connection attempt failed (null once connected without problems). */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Config problems of the current connection (bad nodes …): the adapter runs, without them. */
  get problems(): readonly string[] {
    return this.#problems;
  }

  /** What is monitored on the current connection. */
  get bindings(): readonly Binding[] {
    return this.#assembler?.bindings ?? [];
  }

  /** A method, not a field test: the state changes across awaits, which narrowing does not see. */
  #isStopped(): boolean {
    return this.#state === "stopped";
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#ctx) throw new Error(`${this.id}: start() called twice`);
    this.#ctx = ctx;
    this.#log = ctx.log;
    routeNodeOpcuaLogs(ctx.log);
    this.#publishing = new IntakePublishing({
      log: this.#log,
      // A long pause may have pushed alarm events out of the server's queue: ask for the current set.
      resumed: () => void this.#connection?.refreshConditions(),
      stuck: (reason) => {
        // Channel down: the restore asks again. Otherwise only a new subscription publishes again.
        if (this.#state === "reconnecting" || this.#isStopped()) return;
        this.#onBroken(`could not re-enable publishing after the intake pause (${reason})`);
      },
    });
    if (ctx.intake?.paused) this.#publishing.set(true);
    this.#stopIntake = ctx.intake?.onChange((paused) => this.#publishing?.set(paused));
    this.#armOffline();
    void this.#connect();
  }

  async stop(): Promise<void> {
    if (this.#isStopped()) return;
    this.#state = "stopped";
    this.#stopIntake?.();
    this.#publishing?.detach();
    this.#abort.abort();
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#offlineTimer);
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.close();
    await this.#eventQueue;
    if (this.#online) this.#availability(false);
    this.#flush();
    this.stats.connected = false;
  }

  // ---------------------------------------------------------------- connecting

  async #connect(): Promise<void> {
    if (this.#isStopped()) return;
    this.#state = this.stats.connects > 0 ? "reconnecting" : "connecting";
    const log = this.#log!;
    try {
      const connection = await openConnection({
        machine: this.#machine,
        config: this.#config,
        log,
        signal: this.#abort.signal,
        sessions: this.#sessions,
        intakePaused: () => this.#publishing?.paused === true,
        handlers: {
          prepare: (bindings, types, sources) => this.#prepare(bindings, types, sources),
          data: (index, dv) => this.#onData(index, dv),
          event: (values) => this.#onEvent(values),
          waiting: (message) => this.#onWaiting(message),
          lost: () => this.#onLost(),
          restored: () => this.#onRestored(),
          broken: (reason) => this.#onBroken(reason),
        },
      });
      if (this.#isStopped()) {
        await connection.close();
        return;
      }
      this.#connection = connection;
      this.#publishing?.attach(connection, connection.createdPublishing);
      this.#attempt = 0;
      this.#problems = [...connection.problems];
      for (const p of connection.problems) log.error({ endpoint: this.#config.endpoint }, p);
      this.stats.errors += connection.problems.length;
      this.#lastError = connection.problems[0] ?? null;
      this.stats.connects++;
      this.stats.connected = true;
      this.#state = "connected";
      log.info(
        {
          endpoint: this.#config.endpoint,
          security: `${connection.security.mode}/${connection.security.policy}`,
          serverMachine: connection.machineName, // the machine object on the server, not our machine id
          items: connection.bindings.length,
        },
        "OPC UA subscription running",
      );
    } catch (err) {
      if (this.#isStopped()) return;
      const message = err instanceof ConnectError ? err.message : String((err as Error)?.message ?? err);
      const kind = err instanceof ConnectError ? err.kind : "unexpected";
      this.stats.errors++;
      // Say it loudly once; a retry that fails the same way is only worth a debug line.
      if (message !== this.#lastError) log.error({ endpoint: this.#config.endpoint, kind }, message);
      else log.debug({ endpoint: this.#config.endpoint, kind, attempt: this.#attempt }, message);
      this.#lastError = message;
      this.#armOffline();
      this.#retry();
    }
  }

  #retry(): void {
    if (this.#isStopped()) return;
    const delay = backoffDelay(this.#attempt++, this.#config.reconnect, this.#random);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  #onWaiting(message: string): void {
    if (message !== this.#lastError)
      this.#log?.error({ endpoint: this.#config.endpoint, kind: "network" }, message);
    this.#lastError = message;
  }

  #onLost(): void {
    this.stats.connected = false;
    this.#state = "reconnecting";
    this.#log?.warn({ endpoint: this.#config.endpoint }, "OPC UA connection lost; reconnecting");
    this.#armOffline();
  }

  #onRestored(): void {
    this.stats.connects++;
    this.stats.connected = true;
    this.#state = "connected";
    this.#log?.info({ endpoint: this.#config.endpoint }, "OPC UA session restored; subscriptions resumed");
    this.#setOnline();
    this.#publishing?.restored();
    // Alarms may have changed while we were away: ask for the current set again.
    // (With the intake paused, the answer waits in the event queue until resume.)
    void this.#connection?.refreshConditions();
  }

  #onBroken(reason: string): void {
    if (this.#isStopped()) return;
    this.#log?.warn({ endpoint: this.#config.endpoint }, `${reason}; starting a new connection`);
    this.stats.connected = false;
    const connection = this.#connection;
    this.#connection = undefined;
    this.#publishing?.detach();
    this.#armOffline();
    void (connection?.close() ?? Promise.resolve()).then(() => this.#retry());
  }

  // ---------------------------------------------------------------- availability

  #armOffline(): void {
    if (this.#offlineTimer || this.#online === false) return;
    this.#offlineTimer = setTimeout(() => {
      this.#offlineTimer = undefined;
      if (this.stats.connected || this.#isStopped()) return;
      this.#availability(false);
      // The pipeline closes every alarm of an offline machine; so do we.
      this.#active.clear();
    }, this.#config.offlineAfterMs);
  }

  #setOnline(): void {
    clearTimeout(this.#offlineTimer);
    this.#offlineTimer = undefined;
    if (this.#online !== true) this.#availability(true);
  }

  #availability(online: boolean): void {
    this.#online = online;
    const now = Date.now();
    this.#push({
      machine: this.#machine,
      signal: "availability",
      value: online ? "AVAILABLE" : "UNAVAILABLE",
      ts: now,
      rx: now,
      quality: "good",
      source: { protocol: "opcua", ref: this.#config.endpoint },
    });
    this.#flush();
  }

  // ---------------------------------------------------------------- data and events

  #prepare(bindings: readonly Binding[], types: TypeResolver, sources: ReadonlySet<string> | null): void {
    this.#assembler = new ReadingAssembler(this.#machine, bindings);
    this.#types = types;
    this.#eventSources = sources;
    this.#eventTypes = new Map<string, EventTypeKind>([
      [UA.RefreshStartEventType, "RefreshStart"],
      [UA.RefreshEndEventType, "RefreshEnd"],
    ]);
    for (const t of ["CncAlarmType", "AlertType", "NotificationEventType", "CncMessageType"] as const) {
      const id = types.nodeIdOf(t);
      if (id) this.#eventTypes.set(id, t);
    }
    // Session up, machine found: reachable. Said now so that it precedes the first values.
    this.#setOnline();
  }

  #onData(index: number, dv: DataValue): void {
    const reading = this.#assembler?.reading(index, dv, Date.now());
    if (reading) this.#push(reading);
  }

  #onEvent(values: readonly unknown[]): void {
    // In order, one at a time: an unknown event type is resolved (async) before the next event.
    this.#eventQueue = this.#eventQueue
      .then(() => this.#handleEvent(values))
      .catch((err) => {
        this.stats.errors++;
        this.#log?.warn({ err: (err as Error).message }, "could not handle an OPC UA event");
      });
  }

  async #handleEvent(values: readonly unknown[]): Promise<void> {
    const fields = eventFieldsFromArray(values);
    const typeId = String(fields.eventType ?? "");
    if (!this.#eventTypes.has(typeId) && this.#types) {
      const [known] = await this.#types.resolve([typeId]);
      this.#eventTypes.set(typeId, known);
    }
    const rx = Date.now();
    const event = classifyEvent(fields, {
      typeOf: (id) => this.#eventTypes.get(id),
      faultSeverity: this.#config.faultSeverity,
      acceptsSource: (source) => this.#eventSources === null || this.#eventSources.has(source),
    });
    switch (event.kind) {
      case "refreshStart":
        this.#refreshed = new Map();
        return;
      case "refreshEnd": {
        // No RefreshStart seen: the event queue overflowed during an intake pause and dropped
        // the bracket's front. What is missing cannot be told; the refresh on resume repairs it.
        const refreshed = this.#refreshed;
        if (!refreshed) return;
        this.#refreshed = null;
        for (const gone of alarmsMissingAfterRefresh(this.#active, refreshed)) {
          this.#alarm({ key: gone.key, level: "normal", nativeCode: gone.nativeCode, text: "" }, rx, rx);
        }
        return;
      }
      case "alarm":
        this.#alarm(event.detail, event.ts ?? rx, rx);
        return;
      case "message":
        this.#push({
          machine: this.#machine,
          signal: "message",
          value: event.text,
          ts: event.ts ?? rx,
          rx,
          quality: "good",
          source: { protocol: "opcua", ref: this.#config.endpoint },
        });
        return;
      case "ignore":
        return;
    }
  }

  #alarm(detail: AlarmDetail, ts: number, rx: number): void {
    const codes = this.#active.get(detail.key) ?? new Set<string>();
    if (detail.level === "warning" || detail.level === "fault") {
      codes.add(detail.nativeCode);
      this.#active.set(detail.key, codes);
      if (this.#refreshed) {
        const seen = this.#refreshed.get(detail.key) ?? new Set<string>();
        seen.add(detail.nativeCode);
        this.#refreshed.set(detail.key, seen);
      }
    } else {
      // A clear of a code we never reported active is still passed on: the pipeline ignores it.
      codes.delete(detail.nativeCode);
    }
    this.#push({
      machine: this.#machine,
      signal: "alarm",
      value: detail.level,
      ts,
      rx,
      quality: "good",
      source: { protocol: "opcua", ref: this.#config.endpoint },
      alarm: detail,
    });
  }

  // ---------------------------------------------------------------- emitting

  /** Collect readings and hand them over once per turn of the event loop (one batch per publish). */
  #push(reading: Reading): void {
    this.#pending.push(reading);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushQueued = false;
    if (this.#pending.length === 0 || !this.#ctx) return;
    const batch = this.#pending;
    this.#pending = [];
    this.stats.readings += batch.length;
    this.#ctx.emit(batch);
  }
}
