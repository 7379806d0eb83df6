import { once } from "node:events";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import type { Logger } from "pino";
import { backoffDelay } from "../../core/backoff.ts";
import {
  type Adapter,
  type AdapterContext,
  type AdapterStats,
  type IntakeControl,
  newAdapterStats,
} from "../../core/contracts.ts";
import type { Reading } from "../../core/observation.ts";
import { DevicesXmlError, findDevice, parseDevicesXml } from "../mtconnect-common/devices.ts";
import type { ShdrMonitorConfig } from "./config.ts";
import { Heartbeat } from "./heartbeat.ts";
import { ShdrKeyMap } from "./key-map.ts";
import { LogLimiter } from "./log-limiter.ts";
import { ShdrStream, type ShdrStreamCounters } from "./stream.ts";

export type ShdrAdapterOptions = {
  machine: string;
  /** The validated `monitor:` section (defaults applied by the schema). */
  config: ShdrMonitorConfig;
  /** A ready key map; built from config (devicesXml, keys) when absent. */
  keyMap?: ShdrKeyMap;
  /** Jitter source for the reconnect backoff (tests pin it). */
  random?: () => number;
};

export class ShdrConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShdrConfigError";
  }
}

/**
 * The key map a machine's config describes: Devices.xml (read now, so a bad
 * file stops the gateway at start with a clear message), then `keys:`.
 */
export function keyMapFromConfig(machine: string, config: ShdrMonitorConfig): ShdrKeyMap {
  if (config.devicesXml === undefined) return new ShdrKeyMap({ keys: config.keys, maxKeys: config.maxKeys });
  const where = `machine ${machine}: monitor.devicesXml ${config.devicesXml}`;
  let xml: string;
  try {
    xml = readFileSync(config.devicesXml, "utf8");
  } catch (err) {
    throw new ShdrConfigError(
      `${where}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  try {
    const devices = parseDevicesXml(xml);
    const device = findDevice(devices, config.device);
    if (!device) {
      throw new ShdrConfigError(
        `${where}: no device "${config.device}" (the file has: ${devices.map((d) => d.name).join(", ")}); fix monitor.device`,
      );
    }
    return new ShdrKeyMap({ keys: config.keys, device, maxKeys: config.maxKeys });
  } catch (err) {
    if (err instanceof DevicesXmlError) throw new ShdrConfigError(`${where}: ${err.message}`);
    throw err;
  }
}

/**
 * SHDR client for one machine (DESIGN.md adapter life cycle): the TCP side —
 * connect, heartbeat, reconnect with capped, jittered backoff. Everything the
 * bytes mean is ShdrStream's job; each chunk's readings go to the pipeline in
 * one batch. A lost, refused or silent connection becomes data (availability
 * UNAVAILABLE, every signal null, conditions cleared) before the retry.
 */
export class ShdrAdapter implements Adapter {
  readonly id: string;
  readonly protocol = "shdr" as const;
  readonly machines: readonly string[];
  readonly stats: AdapterStats = { ...newAdapterStats(), dropped: 0 };
  /** Heartbeat counters; line/asset/protocol counters are in `streamCounters`. */
  readonly heartbeatStats = { pongs: 0, timeouts: 0 };

  readonly #config: ShdrMonitorConfig;
  readonly #random: () => number;
  readonly #stream: ShdrStream;

  #ctx: AdapterContext | undefined;
  #log: Logger | undefined;
  #intake: IntakeControl | undefined;
  #stopIntake: (() => void) | undefined;
  #limiter: LogLimiter | undefined;
  #socket: Socket | undefined;
  #heartbeat: Heartbeat | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #stopped = false;
  /** Per connection: has data arrived yet (a connection that delivers resets the backoff). */
  #gotData = false;

  constructor(options: ShdrAdapterOptions) {
    this.#config = options.config;
    this.id = `shdr:${options.machine}`;
    this.machines = [options.machine];
    this.#random = options.random ?? Math.random;
    this.#stream = new ShdrStream({
      machine: options.machine,
      keyMap: options.keyMap ?? keyMapFromConfig(options.machine, options.config),
      maxLineBytes: options.config.maxLineBytes,
      maxFieldsPerLine: options.config.maxFieldsPerLine,
      handlers: {
        problem: (reason) => {
          this.stats.errors++;
          this.#limiter?.warn(
            { host: this.#config.host, port: this.#config.port },
            `bad SHDR input: ${reason}`,
          );
        },
        command: (command, value) => {
          if (command === "PONG") this.#onPong(value);
          else this.#log?.debug({ command, value }, "adapter protocol line");
        },
        dropped: (items, keysKnown) => {
          this.stats.dropped = (this.stats.dropped ?? 0) + items;
          this.#limiter?.warn(
            { host: this.#config.host, port: this.#config.port, items, keysKnown },
            `items of new SHDR keys dropped: this machine already has ${keysKnown} distinct keys (monitor.maxKeys)`,
          );
        },
        asset: (record) =>
          this.#log?.debug(
            { command: record.command, assetId: record.assetId, bodyLines: record.bodyLines },
            "asset command skipped",
          ),
      },
    });
  }

  get streamCounters(): Readonly<ShdrStreamCounters> {
    return this.#stream.counters;
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#ctx) throw new Error(`${this.id}: start() called twice`);
    this.#ctx = ctx;
    this.#log = ctx.log;
    this.#limiter = new LogLimiter(this.#log);
    this.#intake = ctx.intake;
    this.#stopIntake = ctx.intake?.onChange((paused) => this.#onIntake(paused));
    this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopIntake?.();
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#heartbeat?.stop();
    const socket = this.#socket;
    if (socket && !socket.closed) {
      const closed = once(socket, "close");
      socket.destroy();
      await closed;
    }
    this.stats.connected = false;
  }

  #connect(): void {
    if (this.#stopped) return;
    const { host, port } = this.#config;
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    this.#socket = socket;
    const paused = this.#intake?.paused === true;
    if (paused) socket.pause();
    this.#gotData = false;
    const heartbeat = new Heartbeat({
      intervalMs: this.#config.heartbeatMs,
      ping: () => {
        if (this.#socket === socket && this.stats.connected && socket.writable) socket.write("* PING\n");
      },
      timeout: (silentMs) => {
        this.heartbeatStats.timeouts++;
        this.#log?.warn(
          { silentMs, host, port },
          "nothing received within twice the heartbeat: dropping the connection",
        );
        socket.destroy();
      },
    });
    this.#heartbeat = heartbeat;
    // Armed from the attempt on, so a connect that hangs (no SYN answer) times out too.
    // Not while intake is paused: unread data would look like silence.
    if (!paused) heartbeat.start();
    socket.on("connect", () => {
      this.stats.connects++;
      this.stats.connected = true;
      this.#log?.info({ host, port }, "connected");
      heartbeat.received();
      socket.write("* PING\n");
    });
    socket.on("data", (chunk: Buffer) => {
      heartbeat.received();
      if (!this.#gotData) {
        this.#gotData = true;
        this.#attempt = 0;
      }
      this.#emit(this.#stream.push(chunk, Date.now()));
    });
    socket.on("error", (err) => {
      this.#log?.warn({ host, port, err: err.message }, "connection error");
    });
    socket.on("close", () => this.#onClose(socket, heartbeat));
  }

  /**
   * Sinks are full (outbox `pause` policy): stop reading, so the data waits in
   * the socket buffers and on the machine's adapter instead of being read and
   * refused. The heartbeat rests meanwhile.
   */
  #onIntake(paused: boolean): void {
    const socket = this.#socket;
    if (!socket || socket.destroyed) return;
    if (paused) {
      socket.pause();
      this.#heartbeat?.stop();
      this.#log?.warn("intake paused: not reading from the adapter");
    } else {
      socket.resume();
      this.#heartbeat?.start();
      this.#log?.info("intake resumed");
    }
  }

  #onClose(socket: Socket, heartbeat: Heartbeat): void {
    heartbeat.stop();
    if (socket !== this.#socket) return;
    const wasConnected = this.stats.connected;
    this.stats.connected = false;
    if (this.#stopped) return;
    if (wasConnected)
      this.#log?.warn({ host: this.#config.host, port: this.#config.port }, "connection closed");
    this.#emit(this.#stream.connectionLost(Date.now()));
    const delay = backoffDelay(this.#attempt++, this.#config.reconnect, this.#random);
    this.#log?.info({ delayMs: delay, attempt: this.#attempt }, "reconnecting");
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect();
    }, delay);
  }

  #onPong(value: string): void {
    this.heartbeatStats.pongs++;
    const ms = Number(value);
    const heartbeat = this.#heartbeat;
    if (!heartbeat) return;
    if (!Number.isFinite(ms) || ms <= 0) {
      this.stats.errors++;
      this.#limiter?.warn({ value }, `* PONG with a bad interval: keeping ${heartbeat.intervalMs} ms`);
      return;
    }
    const before = heartbeat.intervalMs;
    const now = heartbeat.setIntervalMs(ms);
    if (now !== before) this.#log?.info({ heartbeatMs: now }, "heartbeat interval set by the adapter's PONG");
  }

  #emit(readings: Reading[]): void {
    this.stats.unmapped = this.#stream.unmappedKeys;
    if (readings.length === 0 || !this.#ctx) return;
    this.stats.readings += readings.length;
    try {
      this.#ctx.emit(readings);
    } catch (err) {
      // A downstream failure must not take the connection with it.
      this.stats.errors++;
      this.#log?.error({ err: (err as Error).message }, "pipeline rejected a batch of readings");
    }
  }
}
