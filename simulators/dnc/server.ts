import { realpath, rm, symlink } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { type Logger, pino } from "pino";
import { type CharacterCodec, framingEmulation, IDENTITY_CODEC } from "../../src/dnc/line/codec.ts";
import {
  type DncProfile,
  describeLine,
  type ProfileId,
  type ProfileOverrides,
  resolveProfile,
} from "../../src/dnc/profiles/index.ts";
import type { ByteLink } from "../../src/dnc/transport/link.ts";
import { openSerialLink } from "../../src/dnc/transport/serial.ts";
import {
  DncMachineModel,
  type DncMachineOptions,
  type DncMachineStats,
  type ReadMode,
  type ReceivedProgram,
} from "./machine.ts";
import { openPtyLink } from "./pty-link.ts";
import { createPtyPair, type PtyPair } from "./pty-pair.ts";

/** How the simulated control behaves (buffer, XON/XOFF levels, speeds, read mode): the machine model's own options. */
type ControlBehaviour = Pick<
  DncMachineOptions,
  "bufferBytes" | "xoffAt" | "xonAt" | "storeCharsPerSecond" | "dripBlocksPerSecond" | "mode" | "idleEndMs"
>;

export type DncSimulatorOptions = ControlBehaviour & {
  profile?: ProfileId | DncProfile;
  /** Changes to the profile, e.g. `{ line: { baud: 115200, dataBits: 8, parity: "none", stopBits: 1 } }`. */
  overrides?: ProfileOverrides;
  /**
   * Where the simulated control is reachable. Exactly one of:
   * - `serialPath`: open this serial port or pty end (the gateway opens the other end);
   * - `pty: true`: make a socat pty pair; `path` is the gateway's end (`ptyLink` names it);
   * - `tcpPort`: listen like a serial device server in TCP server mode (0 = any free port).
   */
  serialPath?: string;
  pty?: boolean;
  ptyLink?: string;
  tcpPort?: number;
  host?: string;
  /** Emulate character framing on the link: auto = on a pty only (a UART or device server does it otherwise). */
  framing?: "auto" | "on" | "off";
  /** Programs in the control's memory, by name, ready to punch. */
  programs?: Record<string, string>;
  log?: Logger;
};

export type DncSimulator = {
  readonly profile: DncProfile;
  /** The gateway's end: a pty/serial path … */
  readonly path?: string;
  /** … or the TCP port. */
  readonly port?: number;
  readonly host?: string;
  readonly model: DncMachineModel;
  stats(): DncMachineStats;
  received(): readonly ReceivedProgram[];
  /** The `count`-th program read since start (default 1: the first), waiting for it if need be. */
  waitForProgram(opts?: { timeoutMs?: number; count?: number }): Promise<ReceivedProgram>;
  /** Punch a program from memory (by name) or the given text. */
  punch(nameOrText: string): void;
  /** The operator presses RESET: buffer and reading state cleared (after an interrupted transfer). */
  reset(): void;
  /** The operator presses READ: the control sends DC1 (some gateways wait for it). */
  pressRead(): void;
  /** Send a remote request for a program and get ready to read it. */
  requestProgram(name: string, verb?: "LOAD" | "DRIP"): void;
  setMode(mode: ReadMode): void;
  /** TCP: drop the gateway's connection, like a pulled cable. */
  disconnect(): void;
  close(): Promise<void>;
};

/**
 * A simulated DNC control on a pty, a serial port or TCP: it reads at the line
 * rate into a finite buffer with XON/XOFF (or RTS/CTS), stores or drip-executes
 * what it reads, punches programs and issues remote requests (see machine.ts).
 */
export async function startDncSimulator(opts: DncSimulatorOptions): Promise<DncSimulator> {
  const log = opts.log ?? pino({ level: "silent" });
  const profile =
    typeof opts.profile === "object"
      ? opts.profile
      : resolveProfile(opts.profile ?? "fanuc", opts.overrides ?? {});
  const targets = [opts.serialPath !== undefined, opts.pty === true, opts.tcpPort !== undefined].filter(
    Boolean,
  );
  if (targets.length !== 1) throw new Error("DNC simulator: give exactly one of serialPath, pty or tcpPort");

  let writeOut: (bytes: Buffer) => void = () => {};
  let codec: CharacterCodec = IDENTITY_CODEC;
  const waiters: { count: number; resolve: (p: ReceivedProgram) => void }[] = [];
  const model = new DncMachineModel({
    profile,
    bufferBytes: opts.bufferBytes,
    xoffAt: opts.xoffAt,
    xonAt: opts.xonAt,
    storeCharsPerSecond: opts.storeCharsPerSecond,
    dripBlocksPerSecond: opts.dripBlocksPerSecond,
    mode: opts.mode,
    idleEndMs: opts.idleEndMs,
    transmit: (chars) => writeOut(codec.encode(chars)),
    onProgram: (p) => {
      log.info(
        { program: p.name, mode: p.mode, bytes: p.text.length, lineErrors: p.lineErrors },
        "dnc sim: program read",
      );
      for (const w of [...waiters]) {
        if (model.received.length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    },
  });
  for (const [name, text] of Object.entries(opts.programs ?? {})) model.memory.set(name, text);

  // Drive the model: on every arrival, and by a timer at its next event.
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (closed) return;
    const next = model.nextEventAt();
    if (next === undefined) return;
    timer = setTimeout(tick, Math.max(0, next - performance.now()));
  };
  const tick = () => {
    timer = undefined;
    model.advance(performance.now());
    schedule();
  };
  const onBytes = (raw: Buffer) => {
    const decoded = codec.decode(raw);
    const bad = codec.emulating ? Array.from(raw, (b) => codec.hasError(b)) : undefined;
    model.receive(decoded.chars, performance.now(), bad);
    schedule();
  };

  let link: ByteLink | undefined;
  let pair: PtyPair | undefined;
  let server: Server | undefined;
  let client: Socket | undefined;
  let path: string | undefined;
  let port: number | undefined;

  if (opts.tcpPort !== undefined) {
    codec = opts.framing === "on" ? framingEmulation(profile.line) : IDENTITY_CODEC;
    server = createServer({ noDelay: true }, (socket) => {
      // A device server in TCP server mode takes one connection at a time.
      if (client && !client.destroyed) {
        socket.destroy();
        return;
      }
      client = socket;
      socket.setNoDelay(true);
      writeOut = (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      };
      socket.on("data", onBytes);
      socket.on("error", () => {});
      socket.on("close", () => {
        if (client === socket) client = undefined;
      });
    });
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(opts.tcpPort, opts.host ?? "127.0.0.1", () => resolve());
    });
    const addr = srv.address();
    port = typeof addr === "object" && addr ? addr.port : undefined;
  } else {
    let ours: string;
    if (opts.pty) {
      pair = await createPtyPair();
      ours = pair.a;
      path = pair.b;
      if (opts.ptyLink) {
        await rm(opts.ptyLink, { force: true });
        await symlink(await realpath(pair.b), opts.ptyLink);
        path = opts.ptyLink;
      }
    } else ours = opts.serialPath!;
    const real = await realpath(ours);
    link = real.startsWith("/dev/pts/")
      ? await openPtyLink(ours)
      : await openSerialLink({ path: ours, line: profile.line, flowControl: "none" });
    const emulate = opts.framing === "on" || ((opts.framing ?? "auto") === "auto" && link.kind === "pty");
    codec = emulate ? framingEmulation(profile.line) : IDENTITY_CODEC;
    const l = link;
    writeOut = (bytes) => {
      if (l.isOpen) l.write(bytes).catch(() => {});
    };
    link.onData(onBytes);
    link.onClose((err) => {
      if (err) log.warn({ err: err.message }, "dnc sim: line closed");
    });
  }
  log.info(
    { profile: profile.id, line: describeLine(profile.line), path, port, framing: codec.emulating },
    "dnc sim: ready",
  );

  const sim: DncSimulator = {
    profile,
    path,
    port,
    host: port !== undefined ? (opts.host ?? "127.0.0.1") : undefined,
    model,
    stats: () => ({ ...model.stats }),
    received: () => model.received,
    waitForProgram({ timeoutMs = 10_000, count } = {}) {
      const target = count ?? 1;
      if (model.received.length >= target) return Promise.resolve(model.received[target - 1]!);
      return new Promise((resolve, reject) => {
        const waiter = {
          count: target,
          resolve: (p: ReceivedProgram) => {
            clearTimeout(t);
            resolve(p);
          },
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `DNC simulator: no program read within ${timeoutMs} ms (buffer ${model.bufferLevel()}, next event ${model.nextEventAt()}, now ${performance.now()}, stats ${JSON.stringify(model.stats)})`,
            ),
          );
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    punch(nameOrText) {
      const text = model.memory.get(nameOrText) ?? nameOrText;
      model.advance(performance.now());
      model.punch(text);
      schedule();
    },
    reset() {
      model.advance(performance.now());
      model.reset();
      schedule();
    },
    pressRead() {
      model.advance(performance.now());
      model.readerOn();
      schedule();
    },
    requestProgram(name, verb = "LOAD") {
      model.advance(performance.now());
      model.requestProgram(name, verb);
      schedule();
    },
    setMode(mode) {
      model.advance(performance.now());
      model.mode = mode;
      schedule();
    },
    disconnect() {
      client?.destroy();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      client?.destroy();
      if (server) await new Promise<void>((r) => server!.close(() => r()));
      await link?.close();
      await pair?.close();
      if (opts.ptyLink) {
        await rm(opts.ptyLink, { force: true });
      }
    },
  };
  return sim;
}
