import { type Logger, pino } from "pino";
import type { ProgramTransferEvent } from "../../core/events.ts";
import { type DncConfig, endpointFor, profileFor } from "../config.ts";
import { asDncError, DncError } from "../errors.ts";
import { machineFolder } from "../library/folders.ts";
import type { ProgramLibrary, ProgramVersion } from "../library/library.ts";
import type { DncProfile } from "../profiles/schema.ts";
import { fileNameFor } from "../program/identity.ts";
import { contentHash, programText } from "../program/text.ts";
import { openDncPort } from "../transport/open.ts";
import type { DncPort } from "../transport/port.ts";
import { type ReceivedProgram, receiveProgram } from "./receive.ts";
import { parseRemoteRequest, type RemoteRequest } from "./remote-request.ts";
import { sendProgram } from "./send.ts";
import { Transfer, type TransferDirection, type TransferOutcome } from "./transfer.ts";

export type DncMachineOptions = {
  /** The configured machine id, e.g. "lathe-4". */
  machine: string;
  config: DncConfig;
  /** Where transfers are audited, received programs saved and requested programs found. */
  library?: ProgramLibrary;
  log?: Logger;
  /** Every finished transfer as a `program.transfer` event (competence evidence). */
  onEvent?: (event: ProgramTransferEvent) => void;
  /** Wall clock for events and audit (ms since epoch). */
  now?: () => number;
};

/** A program to send: its text and where it came from (for the audit). */
export type ProgramToSend = { text: string | Buffer; file: string; folder?: string };

export type TransferContext = {
  /** User id or trainee pseudonym that started it; "machine" for a remote request. */
  user?: string;
  /** Session (trainee pseudonym) to tag the event with. */
  session?: string;
  force?: boolean;
};

export type ReceiveResult = { program: ReceivedProgram; saved?: ProgramVersion };

/**
 * The DNC side of one machine: one transfer at a time over its line (serial
 * port or device server), each validated, audited in the library and emitted
 * as a program.transfer event. Optionally keeps the line open to answer the
 * machine's remote requests and to file programs it punches unasked.
 * The same object serves the CLI and the web UI.
 */
export class DncMachine {
  readonly machine: string;
  readonly config: DncConfig;
  readonly profile: DncProfile;
  private readonly library: ProgramLibrary | undefined;
  private readonly log: Logger;
  private readonly onEvent: ((e: ProgramTransferEvent) => void) | undefined;
  private readonly now: () => number;
  /** The transfer that has the line (at most one). */
  private active: Transfer<unknown> | undefined;
  private listening = false;
  /** While listening, the line stays open and transfers use it too. */
  private listenerPort: DncPort | undefined;
  private listenerAbort: AbortController | undefined;
  /** The machine is punching into the listener right now: the line is not free. */
  private listenerReceiving = false;
  private listenerLoop: Promise<void> | undefined;

  constructor(opts: DncMachineOptions) {
    this.machine = opts.machine;
    this.config = opts.config;
    this.profile = profileFor(opts.config);
    this.library = opts.library;
    this.log = (opts.log ?? pino({ level: "silent" })).child({ machine: opts.machine, dnc: this.profile.id });
    this.onEvent = opts.onEvent;
    this.now = opts.now ?? Date.now;
  }

  get busy(): boolean {
    return this.active !== undefined || this.listenerReceiving;
  }

  /** Upload a program into the control's memory. */
  send(program: ProgramToSend, ctx: TransferContext = {}): Transfer {
    return this.sendOrDrip("send", program, ctx, undefined);
  }

  /** Stream a program while the machine executes it; `fromLine` resumes after a stop. */
  drip(program: ProgramToSend, ctx: TransferContext & { fromLine?: number } = {}): Transfer {
    return this.sendOrDrip("drip", program, ctx, ctx.fromLine);
  }

  /** Take what the machine punches; saved into the library (machine folder unless `folder` is given). */
  receive(ctx: TransferContext & { folder?: string; save?: boolean } = {}): Transfer<ReceiveResult> {
    return this.start<ReceiveResult>(
      "receive",
      async (port, signal, transfer) => {
        const program = await receiveProgram({
          port,
          profile: this.profile,
          signal,
          onProgress: (p) => transfer.progress(p),
        });
        return this.fileReceived(program, ctx);
      },
      ctx,
    );
  }

  /** Keep the line open: answer remote requests, file programs punched unasked. */
  startListening(): void {
    if (this.listening) return;
    this.listening = true;
    this.listenerLoop = this.listen();
  }

  async stop(): Promise<void> {
    this.listening = false;
    this.active?.cancel();
    this.listenerAbort?.abort();
    await this.active?.done;
    await this.listenerLoop;
    await this.listenerPort?.close();
    this.listenerPort = undefined;
  }

  private sendOrDrip(
    direction: "send" | "drip",
    program: ProgramToSend,
    ctx: TransferContext,
    fromLine: number | undefined,
  ): Transfer {
    const text = programText(program.text);
    const checksum = contentHash(program.text);
    return this.start(
      direction,
      async (port, signal, transfer) => {
        await sendProgram({
          port,
          profile: this.profile,
          text,
          file: program.file,
          mode: direction,
          fromLine,
          force: ctx.force,
          signal,
          onProgress: (p) => transfer.progress(p),
          xoffTimeoutMs: this.config.xoffTimeoutMs,
          pacing: this.config.pacing,
        });
        return undefined;
      },
      ctx,
      {
        file: program.file,
        folder: program.folder,
        checksum,
        bytes: Buffer.byteLength(text, "latin1"),
        fromLine,
      },
    );
  }

  /**
   * Run one transfer with the line to ourselves: borrow the listener's port
   * (pausing it) or open one for this transfer only. Audit and event at the end.
   */
  private start<T>(
    direction: TransferDirection,
    body: (port: DncPort, signal: AbortSignal, transfer: Transfer<T>) => Promise<T>,
    ctx: TransferContext,
    what: { file?: string; folder?: string; checksum?: string; bytes?: number; fromLine?: number } = {},
  ): Transfer<T> {
    const transfer = new Transfer<T>(direction, async (signal, t) => {
      const startedAt = this.now();
      const t0 = performance.now();
      let value: T | undefined;
      let error: DncError | undefined;
      let port: DncPort | undefined;
      let ownPort = false;
      try {
        if (this.active !== t || this.listenerReceiving) {
          throw new DncError(
            "port-busy",
            `${this.machine} is busy with another transfer: wait for it to finish or cancel it`,
          );
        }
        if (this.listening && this.listenerPort?.isOpen) {
          // The listener is only waiting: stop its receive (synchronously) and use its line.
          this.listenerAbort?.abort();
          port = this.listenerPort;
        } else {
          port = await this.openPort();
          ownPort = true;
        }
        value = await body(port, signal, t);
      } catch (err) {
        error = asDncError(err, `${this.machine} ${direction}`);
      } finally {
        if (ownPort) await port?.close().catch(() => {});
        if (this.active === t) this.active = undefined;
      }
      const received = (value as ReceiveResult | undefined)?.program;
      const outcome: TransferOutcome<T> = {
        result: error ? (error.code === "cancelled" ? "cancelled" : "failed") : "ok",
        error,
        direction,
        file: what.file ?? (value as ReceiveResult | undefined)?.saved?.name ?? "",
        checksum: what.checksum ?? (received ? contentHash(received.text) : ""),
        bytes: received
          ? Buffer.byteLength(received.text, "latin1")
          : error
            ? (error.bytesDone ?? 0)
            : (what.bytes ?? 0),
        durationMs: performance.now() - t0,
        resumeFromLine: error?.resumeFromLine,
        value,
      };
      const folder = what.folder ?? (value as ReceiveResult | undefined)?.saved?.folder;
      this.finish(outcome, { ...ctx, folder, startedAt, fromLine: what.fromLine });
      return outcome;
    });
    if (this.active === undefined && !this.listenerReceiving) this.active = transfer as Transfer<unknown>;
    return transfer;
  }

  private openPort(): Promise<DncPort> {
    return openDncPort({
      endpoint: endpointFor(this.config),
      line: this.profile.line,
      flowControl: this.profile.flowControl,
      framingEmulation: this.config.framingEmulation,
    });
  }

  private finish(
    outcome: TransferOutcome<unknown>,
    meta: TransferContext & { folder?: string; startedAt: number; fromLine?: number },
  ): void {
    const error = outcome.error ? `${outcome.error.code}: ${outcome.error.message}` : undefined;
    this.library?.recordTransfer({
      machine: this.machine,
      direction: outcome.direction,
      folder: meta.folder,
      name: outcome.file || undefined,
      hash: outcome.checksum || undefined,
      bytes: outcome.bytes,
      durationMs: outcome.durationMs,
      result: outcome.result,
      error,
      user: meta.user,
      session: meta.session,
      fromLine: meta.fromLine,
      startedAt: meta.startedAt,
    });
    const event: ProgramTransferEvent = {
      type: "program.transfer",
      machine: this.machine,
      ts: this.now(),
      direction: outcome.direction,
      file: outcome.file,
      checksum: outcome.checksum,
      bytes: outcome.bytes,
      durationMs: Math.round(outcome.durationMs),
      result: outcome.result,
      ...(meta.session ? { session: meta.session } : {}),
      ...(error ? { error } : {}),
    };
    this.log.info(
      {
        direction: outcome.direction,
        file: outcome.file,
        bytes: outcome.bytes,
        durationMs: event.durationMs,
        result: outcome.result,
        code: outcome.error?.code,
        resumeFromLine: outcome.resumeFromLine,
      },
      "dnc transfer",
    );
    this.onEvent?.(event);
  }

  private fileReceived(
    program: ReceivedProgram,
    ctx: TransferContext & { folder?: string; save?: boolean },
  ): ReceiveResult {
    if (!this.library || ctx.save === false) return { program };
    const name = fileNameFor(program.identity, this.profile, new Date(this.now()));
    const saved = this.library.save({
      folder: ctx.folder ?? machineFolder(this.machine),
      name,
      content: program.text,
      profile: this.profile,
      by: ctx.user ?? "machine",
      source: "received",
      note: program.complete ? undefined : "ended by idle timeout without closing %",
    });
    return { program, saved };
  }

  // ---- listening (remote requests, unsolicited punches) ----

  private async listen(): Promise<void> {
    let backoff = 500;
    while (this.listening) {
      const active = this.active;
      if (active) {
        await active.done;
        continue;
      }
      try {
        if (!this.listenerPort?.isOpen) {
          this.listenerPort = await this.openPort();
          backoff = 500;
          this.log.info({ line: this.listenerPort.description }, "dnc listening for remote requests");
        }
        const port = this.listenerPort;
        this.listenerAbort = new AbortController();
        const program = await receiveProgram({
          port,
          profile: this.profile,
          signal: this.listenerAbort.signal,
          startTimeoutMs: 0,
          onStart: () => {
            if (!this.active) this.listenerReceiving = true;
          },
        });
        this.listenerReceiving = false;
        await this.handleUnsolicited(program);
      } catch (err) {
        this.listenerReceiving = false;
        const e = asDncError(err, `${this.machine} listen`);
        // A transfer took the line: the loop waits for it at the top.
        if (e.code === "cancelled") continue;
        if (!this.listening) break;
        this.log.warn({ code: e.code, err: e.message }, "dnc listener: line problem, retrying");
        await this.listenerPort?.close().catch(() => {});
        this.listenerPort = undefined;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  private async handleUnsolicited(program: ReceivedProgram): Promise<void> {
    const request =
      this.config.remoteRequest?.enabled === false
        ? undefined
        : parseRemoteRequest(program.text, this.profile);
    if (!request) {
      // The machine punched a program: file it like an explicit receive.
      const t = this.start<ReceiveResult>(
        "receive",
        async () => this.fileReceived(program, { user: "machine" }),
        {
          user: "machine",
        },
      );
      await t.done;
      return;
    }
    await this.answerRequest(request);
  }

  private async answerRequest(request: RemoteRequest): Promise<void> {
    const folders = this.config.remoteRequest?.folders ?? ["shared"];
    const found = this.library?.findForRequest(request.name, folders);
    this.log.info({ verb: request.verb, program: request.name, found: found?.name }, "dnc remote request");
    const direction = request.verb === "DRIP" ? "drip" : "send";
    if (!found) {
      const t = this.start(
        direction,
        async () => {
          throw new DncError(
            "invalid-program",
            `the machine asked for ${request.name}, which is not in ${folders.join(" or ")} of the program library`,
          );
        },
        { user: "machine" },
        { file: request.name },
      );
      await t.done;
      return;
    }
    await new Promise((r) => setTimeout(r, this.config.remoteRequest?.delayMs ?? 1000));
    const program = { text: found.content, file: found.name, folder: found.folder };
    const t =
      direction === "drip"
        ? this.drip(program, { user: "machine" })
        : this.send(program, { user: "machine" });
    await t.done;
  }
}
