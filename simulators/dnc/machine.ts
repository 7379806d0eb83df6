import { charsPerSecond, type DncProfile } from "../../src/dnc/profiles/index.ts";
import { storedName, TapeReader } from "./tape-reader.ts";

const DC1 = 0x11;
const DC2 = 0x12;
const DC3 = 0x13;
const DC4 = 0x14;

/** What the control does with what it reads: store it in memory, or execute it as it arrives (drip-feed). */
export type ReadMode = "store" | "drip";

export type DncMachineOptions = {
  profile: DncProfile;
  /** Input buffer of the control (default 256 bytes). */
  bufferBytes?: number;
  /** Send XOFF when the buffer holds this many bytes (default 3/4 of it). */
  xoffAt?: number;
  /** Send XON when it has drained to this many (default 1/4). */
  xonAt?: number;
  /** Store mode: how fast the control moves characters into program memory (default 4 × line rate). */
  storeCharsPerSecond?: number;
  /** Drip mode: blocks executed per second (default 50). */
  dripBlocksPerSecond?: number;
  mode?: ReadMode;
  /** Without an end marker (no %, no EOT) a program ends when the line is quiet this long. Default 1000 ms. */
  idleEndMs?: number;
  /** Where the control's characters go (the server encodes and writes them). */
  transmit: (chars: Buffer) => void;
  onProgram?: (program: ReceivedProgram) => void;
};

export type ReceivedProgram = {
  name: string;
  /** Program text with LF ends of block, as stored (store) or as executed (drip). */
  text: string;
  mode: ReadMode;
  /** Characters with a parity or framing error while this program was read: garbage in. */
  lineErrors: number;
  at: number;
};

export type DncMachineStats = {
  /** Characters that reached the input buffer (or overran it). */
  charsReceived: number;
  /** Characters lost because the buffer was full. */
  overruns: number;
  /** XOFF/XON cycles. */
  xoffSent: number;
  xonSent: number;
  /**
   * Characters received while our XOFF was in force (in total, and the most in one cycle):
   * those already on the line when the buffer reached xoffAt, and those that arrived
   * after the XOFF was actually transmitted. Characters that arrived between the two
   * (the simulator's own reaction time, up to a timer tick) are not the sender's doing
   * and are counted apart in charsInXoffLatency.
   */
  charsAfterXoff: number;
  maxCharsAfterXoff: number;
  charsInXoffLatency: number;
  /** Characters that arrived with a parity or framing error. */
  lineErrors: number;
  /** Drip mode: blocks executed, and how often the buffer ran dry between blocks. */
  blocksExecuted: number;
  starved: number;
  /** Characters punched (sent) by the control. */
  charsPunched: number;
};

const newStats = (): DncMachineStats => ({
  charsReceived: 0,
  overruns: 0,
  xoffSent: 0,
  xonSent: 0,
  charsAfterXoff: 0,
  maxCharsAfterXoff: 0,
  charsInXoffLatency: 0,
  lineErrors: 0,
  blocksExecuted: 0,
  starved: 0,
  charsPunched: 0,
});

/** A FIFO of numbers that does not shift an array on every take. */
class Fifo {
  private items: number[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(v: number): void {
    this.items.push(v);
  }
  peek(i = 0): number {
    return this.items[this.head + i]!;
  }
  take(): number {
    const v = this.items[this.head++]!;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
  indexOf(v: number): number {
    const i = this.items.indexOf(v, this.head);
    return i < 0 ? -1 : i - this.head;
  }
}

/**
 * The simulated control, in model time (milliseconds on a monotonic clock).
 *
 * Characters read off the link go onto the *line*, where each takes one
 * character time (1 start + data + parity + stop bits) to arrive, then into a
 * finite *input buffer*, which the *processor* empties: in store mode one
 * character per 1/storeCharsPerSecond into program memory, in drip mode one
 * block per 1/dripBlocksPerSecond (executed, not stored). XOFF goes out when
 * the buffer reaches `xoffAt`, XON when it has drained to `xonAt`; what still
 * arrives in between is counted, and what does not fit is an overrun.
 * Punch output is paced at the line rate and obeys the gateway's DC3/DC1.
 * `advance(now)` runs the events up to `now` in time order; `nextEventAt()`
 * says when the next one is due.
 */
export class DncMachineModel {
  readonly profile: DncProfile;
  readonly bufferBytes: number;
  readonly xoffAt: number;
  readonly xonAt: number;
  stats: DncMachineStats = newStats();
  /** Programs in memory, by name (O-number or program name). */
  readonly memory = new Map<string, string>();
  readonly received: ReceivedProgram[] = [];
  /** Per XOFF/XON cycle: when the XOFF went out (real time) and the characters counted after it. */
  readonly xoffCycles: { sentAt: number; chars: number }[] = [];
  mode: ReadMode;

  private readonly opts: DncMachineOptions;
  private readonly charMs: number;
  private readonly storeCharMs: number;
  private readonly blockMs: number;
  private readonly idleEndMs: number;
  private readonly eob: number;

  private now = 0;
  // Towards the control.
  private readonly line = new Fifo();
  private readonly lineBad = new Fifo();
  /** Real time each character on the line was read off the link. */
  private readonly lineArrival = new Fifo();
  /** Model time the buffer reached xoffAt, and real time the XOFF went out (set when flushed). */
  private xoffDueAt = 0;
  private xoffSentAt: number | undefined;
  private advancingTo = 0;
  private lineFreeAt = 0;
  private lastLandedAt = Number.NEGATIVE_INFINITY;
  private readonly buffer = new Fifo();
  private processorFreeAt = 0;
  private blockDoneAt = 0;
  private xoffInForce = false;
  /** RTS/CTS: our RTS is low, the sender's UART holds its characters on the line. */
  private ctsLow = false;
  private charsThisCycle = 0;
  private errorsThisProgram = 0;
  private readonly reader: TapeReader;
  private drip: string[] = [];
  // From the control.
  private readonly punchQueue = new Fifo();
  private punchFreeAt = 0;
  private heldByGateway = false;
  private out: number[] = [];

  constructor(opts: DncMachineOptions) {
    this.opts = opts;
    this.profile = opts.profile;
    this.bufferBytes = opts.bufferBytes ?? 256;
    this.xoffAt = opts.xoffAt ?? Math.floor((this.bufferBytes * 3) / 4);
    this.xonAt = opts.xonAt ?? Math.floor(this.bufferBytes / 4);
    if (!(this.xonAt < this.xoffAt && this.xoffAt <= this.bufferBytes)) {
      throw new Error(
        `DNC simulator: need xonAt < xoffAt <= bufferBytes (got ${this.xonAt}, ${this.xoffAt}, ${this.bufferBytes})`,
      );
    }
    const cps = charsPerSecond(opts.profile.line);
    this.charMs = 1000 / cps;
    this.storeCharMs = 1000 / (opts.storeCharsPerSecond ?? 4 * cps);
    this.blockMs = 1000 / (opts.dripBlocksPerSecond ?? 50);
    this.idleEndMs = opts.idleEndMs ?? 1000;
    this.eob = opts.profile.eob === "CR" ? 0x0d : 0x0a;
    this.mode = opts.mode ?? "store";
    this.reader = new TapeReader(opts.profile);
  }

  resetStats(): void {
    this.stats = newStats();
    this.xoffCycles.length = 0;
  }

  bufferLevel(): number {
    return this.buffer.length;
  }

  /** Nothing on the line, in the buffer or waiting to be punched. */
  get idle(): boolean {
    return this.line.length === 0 && this.buffer.length === 0 && this.punchQueue.length === 0;
  }

  /** Characters read off the link at `now`; `bad[i]` marks a character with a parity/framing error. */
  receive(chars: Buffer, now: number, bad?: readonly boolean[]): void {
    this.advance(now);
    if (this.line.length === 0) this.lineFreeAt = Math.max(this.lineFreeAt, now);
    for (let i = 0; i < chars.length; i++) {
      this.line.push(chars[i]!);
      this.lineBad.push(bad?.[i] ? 1 : 0);
      this.lineArrival.push(now);
    }
    this.advance(now);
  }

  /** Punch text: DC2 (if the profile uses it), leader, text with the profile's end of block, trailer, DC4. */
  punch(text: string): void {
    const eob = this.profile.eob === "CRLF" ? "\r\n" : this.profile.eob === "CR" ? "\r" : "\n";
    const body = text.replace(/\r\n|\r|\n/g, eob);
    if (this.punchQueue.length === 0) this.punchFreeAt = Math.max(this.punchFreeAt, this.now);
    if (this.profile.punchControlCodes) this.punchQueue.push(DC2);
    for (let i = 0; i < this.profile.leaderNuls; i++) this.punchQueue.push(0);
    for (let i = 0; i < body.length; i++) this.punchQueue.push(body.charCodeAt(i) & 0xff);
    for (let i = 0; i < this.profile.trailerNuls; i++) this.punchQueue.push(0);
    if (this.profile.punchControlCodes) this.punchQueue.push(DC4);
  }

  /** The operator presses RESET: input buffer, line and reading state are cleared. */
  reset(): void {
    while (this.line.length > 0) {
      this.line.take();
      this.lineBad.take();
      this.lineArrival.take();
    }
    while (this.buffer.length > 0) this.buffer.take();
    this.reader.finish();
    this.drip = [];
    this.xoffInForce = false;
    this.ctsLow = false;
    this.heldByGateway = false;
    while (this.punchQueue.length > 0) this.punchQueue.take();
  }

  /** The operator starts reading (READ / input mode): the control sends DC1, reader on. */
  readerOn(): void {
    this.out.push(DC1);
    this.flush();
  }

  /** Ask the gateway for a program in the profile's remote-request wording, then wait to read it. */
  requestProgram(name: string, verb: "LOAD" | "DRIP" = "LOAD"): string {
    const lines = this.profile.remoteRequest.template.map((l) =>
      l.replace("{verb}", verb).replace("{name}", name),
    );
    this.mode = verb === "DRIP" ? "drip" : "store";
    const text = `${lines.join("\n")}\n`;
    this.punch(text);
    return text;
  }

  /** When the model next has something to do; undefined: nothing until characters arrive. */
  nextEventAt(): number | undefined {
    const t = Math.min(this.nextLanding(), this.nextProcessing(), this.nextPunch(), this.idleEndAt());
    return Number.isFinite(t) ? t : undefined;
  }

  /** Run every event up to `now`, in time order. */
  advance(now: number): void {
    this.advancingTo = now;
    for (;;) {
      const tLand = this.nextLanding();
      const tProc = this.nextProcessing();
      const tPunch = this.nextPunch();
      const t = Math.min(tLand, tProc, tPunch);
      if (t > now) break;
      this.now = Math.max(this.now, t);
      if (t === tLand) this.land(t);
      else if (t === tProc) this.process(t);
      else this.punchOne(t);
    }
    this.now = Math.max(this.now, now);
    if (this.idleEndAt() <= now) this.endByIdle(now);
    this.flush();
  }

  private nextLanding(): number {
    if (this.ctsLow) return Number.POSITIVE_INFINITY;
    return this.line.length > 0 ? this.lineFreeAt + this.charMs : Number.POSITIVE_INFINITY;
  }

  private nextProcessing(): number {
    if (this.mode === "store") {
      return this.buffer.length > 0 ? this.processorFreeAt + this.storeCharMs : Number.POSITIVE_INFINITY;
    }
    const blockReady = this.buffer.indexOf(this.eob) >= 0 || this.buffer.length >= this.bufferBytes;
    return blockReady ? this.processorFreeAt : Number.POSITIVE_INFINITY;
  }

  private nextPunch(): number {
    return this.punchQueue.length > 0 && !this.heldByGateway
      ? this.punchFreeAt + this.charMs
      : Number.POSITIVE_INFINITY;
  }

  private idleEndAt(): number {
    const waiting = this.mode === "store" ? this.reader.active : this.drip.length > 0;
    if (!waiting || this.buffer.length > 0 || this.line.length > 0) return Number.POSITIVE_INFINITY;
    return this.lastLandedAt + this.idleEndMs;
  }

  private land(t: number): void {
    const c = this.line.take();
    const bad = this.lineBad.take() === 1;
    const arrivedAt = this.lineArrival.take();
    this.lineFreeAt = t;
    this.lastLandedAt = t;
    if (bad) {
      this.stats.lineErrors++;
      this.errorsThisProgram++;
    }
    // The gateway's flow control for our punch output never enters the buffer.
    if (c === DC3 || c === DC1) {
      const wasHeld = this.heldByGateway;
      this.heldByGateway = c === DC3;
      if (wasHeld && !this.heldByGateway) this.punchFreeAt = Math.max(this.punchFreeAt, t);
      return;
    }
    this.stats.charsReceived++;
    if (this.xoffInForce) {
      const sentAt = this.xoffSentAt ?? this.advancingTo;
      if (arrivedAt <= this.xoffDueAt || arrivedAt > sentAt) {
        this.stats.charsAfterXoff++;
        this.charsThisCycle++;
        this.stats.maxCharsAfterXoff = Math.max(this.stats.maxCharsAfterXoff, this.charsThisCycle);
      } else this.stats.charsInXoffLatency++;
    }
    if (this.buffer.length >= this.bufferBytes) {
      this.stats.overruns++;
      return;
    }
    // An idle processor starts on this character (store) or block (drip) no earlier than now.
    if (this.mode === "store" ? this.buffer.length === 0 : this.buffer.indexOf(this.eob) < 0) {
      this.processorFreeAt = Math.max(this.processorFreeAt, t);
    }
    this.buffer.push(c);
    if (!this.ctsLow && this.buffer.length >= this.xoffAt && this.profile.flowControl === "rtscts") {
      this.ctsLow = true;
      this.stats.xoffSent++;
    }
    if (!this.xoffInForce && this.buffer.length >= this.xoffAt && this.profile.flowControl === "xonxoff") {
      this.xoffInForce = true;
      this.xoffDueAt = t;
      this.xoffSentAt = undefined;
      this.charsThisCycle = 0;
      this.stats.xoffSent++;
      // A UART sends XOFF ahead of anything queued.
      this.out.push(DC3);
    }
  }

  private process(t: number): void {
    if (this.mode === "store") {
      this.processorFreeAt = t;
      const text = this.reader.take(this.buffer.take());
      if (text !== undefined) this.store(text, "store", t);
    } else {
      this.executeBlock(t);
    }
    if (this.xoffInForce && this.buffer.length <= this.xonAt) {
      this.xoffInForce = false;
      if (this.xoffCycles.length < 100_000) {
        this.xoffCycles.push({ sentAt: this.xoffSentAt ?? this.advancingTo, chars: this.charsThisCycle });
      }
      this.stats.xonSent++;
      this.out.push(DC1);
    }
    if (this.ctsLow && this.buffer.length <= this.xonAt) {
      this.ctsLow = false;
      this.stats.xonSent++;
      // The sender's UART resumes now; the line was idle meanwhile.
      this.lineFreeAt = Math.max(this.lineFreeAt, t);
    }
  }

  /** Drip mode: take one block off the buffer and execute it for 1/dripBlocksPerSecond. */
  private executeBlock(t: number): void {
    const end = this.buffer.indexOf(this.eob);
    const count = end < 0 ? this.buffer.length : end + 1;
    let line = "";
    for (let i = 0; i < count; i++) {
      const c = this.buffer.take();
      if (c >= 0x20 && c !== 0x7f) line += String.fromCharCode(c);
    }
    if (line === "" && this.drip.length === 0) {
      // Leader and blank lines before the program: nothing to execute.
      this.processorFreeAt = t;
      return;
    }
    // The previous block finished before this one was complete: the machine stood still.
    if (this.drip.length > 0 && t > this.blockDoneAt + 1e-6) this.stats.starved++;
    this.processorFreeAt = t + this.blockMs;
    this.blockDoneAt = this.processorFreeAt;
    this.drip.push(line);
    const isPercent = line.trim() === "%";
    if (!isPercent) this.stats.blocksExecuted++;
    if (isPercent && this.drip.length > 1 && this.profile.percentFramed) this.endDrip(t);
  }

  private endDrip(t: number): void {
    const text = `${this.drip.join("\n")}\n`;
    this.drip = [];
    this.store(text, "drip", t);
  }

  private endByIdle(now: number): void {
    if (this.mode === "store") {
      const text = this.reader.finish();
      if (text !== undefined) this.store(text, "store", now);
    } else if (this.drip.length > 0) this.endDrip(now);
  }

  private store(text: string, mode: ReadMode, t: number): void {
    const program: ReceivedProgram = {
      name: storedName(text, this.profile),
      text,
      mode,
      lineErrors: this.errorsThisProgram,
      at: t,
    };
    this.errorsThisProgram = 0;
    if (mode === "store") this.memory.set(program.name, text);
    this.received.push(program);
    this.opts.onProgram?.(program);
  }

  private punchOne(t: number): void {
    this.punchFreeAt = t;
    this.out.push(this.punchQueue.take());
    this.stats.charsPunched++;
  }

  private flush(): void {
    if (this.out.length === 0) return;
    if (this.xoffInForce && this.xoffSentAt === undefined) this.xoffSentAt = this.advancingTo;
    const bytes = Buffer.from(this.out);
    this.out = [];
    this.opts.transmit(bytes);
  }
}
