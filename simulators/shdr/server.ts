// The SHDR simulator: what an MTConnect adapter on a machine does. Each
// simulated machine listens on its own TCP port; every client gets a snapshot
// of all keys on connect, then the changes as they happen, and answers to
// `* PING` with `* PONG <ms>`. In replay mode each port plays a captured log
// instead, from the start for every connection.
import { readFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import { ModelDriver } from "../model/clock.ts";
import { MachineModel } from "../model/machine-model.ts";
import type { OperatorBehaviour } from "../model/operator.ts";
import type { MachineKind } from "../model/profiles.ts";
import { changeLines, shdrTimestamp, snapshotLines } from "./format.ts";
import {
  DEFAULT_REPLAY_TIMING,
  parseShdrLog,
  type ReplayRecord,
  ReplaySession,
  replaySchedule,
} from "./replay.ts";

export type ShdrSimulatorOptions = {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Port of the first machine; machine i listens on port + i. 0 = an ephemeral port per machine. */
  port: number;
  /** Number of simulated machines (default 1). Even indexes are lathes, odd ones mills. */
  machines?: number;
  /** Machine i uses seed + i (default 1). */
  seed?: number;
  /** Simulated time per real time (default 1). */
  timeScale?: number;
  /** Interval announced in `* PONG <ms>` (default 10 000). */
  heartbeatMs?: number;
  /** false: the machines only do what scripts tell them (tests); default true, the random operator. */
  autoOperator?: boolean;
  /** Operator behaviour overrides for every machine (rates, durations). */
  behaviour?: Partial<OperatorBehaviour>;
  /** Replay this SHDR log instead of running the model. */
  replay?: string;
  /** Replay speed factor (default 1). */
  speed?: number;
  /** Start the log over at its end (default true). */
  loop?: boolean;
  /** Longest forward gap of the log that is waited for, log ms (default 10 000). */
  maxGapMs?: number;
  /** Replace replayed timestamps with the current time (default false: sent as recorded). */
  retime?: boolean;
  log: Logger;
};

export type SimulatedShdrMachine = {
  id: string;
  port: number;
  /** The model and its driver; null in replay mode. */
  kind: MachineKind | null;
  model: MachineModel | null;
  driver: ModelDriver | null;
  /** Connected clients right now. */
  clients(): number;
};

export type ShdrSimulator = {
  ports: number[];
  machines: SimulatedShdrMachine[];
  close(): Promise<void>;
};

/** A client that reads this much (or more) behind is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Longest line a client may send; adapters only ever receive `* PING`. */
const MAX_CLIENT_LINE = 1024;

function validate(o: ShdrSimulatorOptions): void {
  const problems: string[] = [];
  const machines = o.machines ?? 1;
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)
    problems.push(`port must be 0–65535, got ${o.port}`);
  if (!Number.isInteger(machines) || machines < 1 || machines > 64) {
    problems.push(`machines must be 1–64, got ${machines}`);
  } else if (o.port > 0 && o.port + machines - 1 > 65535) {
    problems.push(`ports ${o.port}…${o.port + machines - 1} go past 65535`);
  }
  for (const [name, value] of [
    ["timeScale", o.timeScale],
    ["speed", o.speed],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      problems.push(`${name} must be > 0, got ${value}`);
  }
  if (o.heartbeatMs !== undefined && !(Number.isInteger(o.heartbeatMs) && o.heartbeatMs >= 100)) {
    problems.push(`heartbeatMs must be an integer ≥ 100, got ${o.heartbeatMs}`);
  }
  if (o.seed !== undefined && !Number.isFinite(o.seed)) problems.push(`seed must be a number, got ${o.seed}`);
  if (problems.length > 0) throw new Error(`SHDR simulator: ${problems.join("; ")}`);
}

type Client = { socket: Socket; onClose: (() => void) | null };

/** One listening port: the shared client bookkeeping of model and replay machines. */
class ShdrPort {
  readonly server: Server;
  readonly clients = new Set<Client>();
  readonly #log: Logger;
  readonly #heartbeatMs: number;

  constructor(log: Logger, heartbeatMs: number, onConnect: (client: Client) => void) {
    this.#log = log;
    this.#heartbeatMs = heartbeatMs;
    this.server = createServer({ noDelay: true }, (socket) => {
      const client: Client = { socket, onClose: null };
      this.clients.add(client);
      const peer = `${socket.remoteAddress}:${socket.remotePort}`;
      this.#log.info({ peer, clients: this.clients.size }, "SHDR client connected");
      socket.setEncoding("utf8");
      let pending = "";
      socket.on("data", (chunk: string) => {
        pending += chunk;
        let nl = pending.indexOf("\n");
        while (nl >= 0) {
          this.#onClientLine(client, pending.slice(0, nl).trim());
          pending = pending.slice(nl + 1);
          nl = pending.indexOf("\n");
        }
        if (pending.length > MAX_CLIENT_LINE) {
          this.#log.warn({ peer, bytes: pending.length }, "SHDR client sent an over-long line; discarded");
          pending = "";
        }
      });
      socket.on("error", (err) => this.#log.debug({ peer, err: err.message }, "SHDR client socket error"));
      socket.on("close", () => {
        this.clients.delete(client);
        client.onClose?.();
        this.#log.info({ peer, clients: this.clients.size }, "SHDR client disconnected");
      });
      onConnect(client);
    });
  }

  #onClientLine(client: Client, line: string): void {
    if (line === "") return;
    // The heartbeat: the agent pings, the adapter answers with its interval.
    if (/^\*\s*PING$/i.test(line)) client.socket.write(`* PONG ${this.#heartbeatMs}\n`);
    else this.#log.debug({ line: line.slice(0, 80) }, "SHDR client sent an unknown line; ignored");
  }

  send(client: Client, text: string): boolean {
    const socket = client.socket;
    if (socket.destroyed) return true;
    if (socket.writableLength > MAX_BUFFERED_BYTES) {
      this.#log.warn(
        { peer: socket.remoteAddress, buffered: socket.writableLength },
        "SHDR client too slow; dropped",
      );
      socket.destroy();
      return true;
    }
    return socket.write(text);
  }

  broadcast(text: string): void {
    for (const client of this.clients) this.send(client, text);
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(new Error(`SHDR simulator: cannot listen on ${host}:${port}: ${err.code ?? err.message}`));
      };
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        resolve();
      });
    });
    this.server.on("error", (err) => this.#log.error({ err: err.message }, "SHDR simulator server error"));
    const address = this.server.address();
    return typeof address === "object" && address ? address.port : port;
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.socket.destroy();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function toText(lines: readonly string[]): string {
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

export async function startShdrSimulator(options: ShdrSimulatorOptions): Promise<ShdrSimulator> {
  validate(options);
  const host = options.host ?? "127.0.0.1";
  const count = options.machines ?? 1;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const replay = options.replay ? await loadReplay(options) : null;
  const ports: ShdrPort[] = [];
  const machines: SimulatedShdrMachine[] = [];
  const stops: (() => void)[] = [];

  const closeAll = async () => {
    for (const stop of stops) stop();
    await Promise.all(ports.map((p) => p.close()));
  };

  try {
    for (let i = 0; i < count; i++) {
      const id = `sim-${i + 1}`;
      const log = options.log.child({ machine: id });
      let port: ShdrPort;
      let machine: Omit<SimulatedShdrMachine, "port">;
      if (replay) {
        port = new ShdrPort(log, heartbeatMs, (client) => {
          const session = new ReplaySession(
            replay.records,
            replay.due,
            {
              write: (text) => port.send(client, text),
              drained: () =>
                new Promise((resolve) => {
                  const done = () => {
                    client.socket.off("drain", done);
                    client.socket.off("close", done);
                    resolve();
                  };
                  client.socket.once("drain", done);
                  client.socket.once("close", done);
                }),
            },
            {
              loop: options.loop ?? true,
              retime: options.retime ?? false,
              // One second of log time between passes, so a client can tell them apart.
              loopPauseMs: Math.max(10, 1_000 / (options.speed ?? 1)),
            },
          );
          client.onClose = () => session.stop();
          session.run().catch((err: Error) => {
            log.error({ err: err.message }, "SHDR replay failed");
            client.socket.destroy();
          });
        });
        stops.push(() => {
          for (const client of port.clients) client.onClose?.();
        });
        machine = { id, kind: null, model: null, driver: null, clients: () => port.clients.size };
      } else {
        const kind: MachineKind = i % 2 === 0 ? "lathe" : "mill";
        const model = new MachineModel({
          id,
          kind,
          seed: (options.seed ?? 1) + i,
          behaviour: options.behaviour,
          autoOperator: options.autoOperator ?? true,
        });
        const driver = new ModelDriver(model, { timeScale: options.timeScale ?? 1 });
        port = new ShdrPort(log, heartbeatMs, (client) => {
          // The snapshot is the state the driver last reported, so the next change lines follow on from it.
          port.send(client, toText(snapshotLines(driver.state, shdrTimestamp(Date.now()))));
        });
        driver.subscribe((_change, next, previous) => {
          if (port.clients.size === 0) return;
          port.broadcast(toText(changeLines(previous, next, shdrTimestamp(Date.now()))));
        });
        driver.start();
        stops.push(() => driver.stop());
        machine = { id, kind, model, driver, clients: () => port.clients.size };
      }
      ports.push(port);
      const bound = await port.listen(options.port === 0 ? 0 : options.port + i, host);
      machines.push({ ...machine, port: bound });
      log.info({ host, port: bound, kind: machine.kind ?? "replay" }, "SHDR simulator listening");
    }
  } catch (err) {
    await closeAll();
    throw err;
  }

  let closing: Promise<void> | null = null;
  return {
    ports: machines.map((m) => m.port),
    machines,
    close: () => {
      closing ??= closeAll();
      return closing;
    },
  };
}

async function loadReplay(
  options: ShdrSimulatorOptions,
): Promise<{ records: ReplayRecord[]; due: number[] }> {
  const file = options.replay ?? "";
  let content: string;
  try {
    content = await readFile(file, "utf8");
  } catch (err) {
    throw new Error(
      `SHDR simulator: cannot read replay file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  const { records, warnings } = parseShdrLog(content);
  for (const warning of warnings) options.log.warn({ file }, `replay file: ${warning}`);
  if (records.length === 0) throw new Error(`SHDR simulator: replay file ${file} holds no SHDR lines`);
  const due = replaySchedule(records, {
    ...DEFAULT_REPLAY_TIMING,
    speed: options.speed ?? 1,
    maxGapMs: options.maxGapMs ?? DEFAULT_REPLAY_TIMING.maxGapMs,
  });
  const lastDue = due[due.length - 1] ?? 0;
  options.log.info(
    { file, records: records.length, durationS: Math.round(lastDue / 100) / 10 },
    "SHDR replay loaded",
  );
  return { records, due };
}
