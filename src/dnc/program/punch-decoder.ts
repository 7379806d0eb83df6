import type { DncProfile } from "../profiles/schema.ts";

export type PunchEnd = "percent" | "end-byte" | "end-of-program";

const NUL = 0x00;
const DEL = 0x7f; // tape feed / rub-out
const CR = 0x0d;
const LF = 0x0a;
const PERCENT = 0x25;
const isDeviceControl = (b: number) => b >= 0x11 && b <= 0x14; // DC1–DC4: reader/punch on/off

const HEIDENHAIN_END = /^\s*\d+\s+END\s+PGM\s+\S+/i;

/**
 * Turns what a control punches into program text: drops the NUL leader and
 * trailer, DC1–DC4 and DEL, converts any end of block to LF, and notices the
 * end of the program (the closing `%`, an end byte such as EOT, or a
 * Heidenhain `END PGM` line). Idle timeouts are the caller's business.
 */
export class PunchDecoder {
  private readonly profile: DncProfile;
  private text: number[] = [];
  private started = false;
  private pendingCr = false;
  private lineStart = 0;
  endedBy: PunchEnd | undefined;
  /** Characters of the program taken so far (after filtering). */
  get length(): number {
    return this.text.length;
  }
  get hasStarted(): boolean {
    return this.started;
  }
  /** Complete lines so far. */
  lineCount = 0;

  constructor(profile: DncProfile) {
    this.profile = profile;
  }

  /** Feed characters; returns the number consumed (the rest belong to whatever follows the program). */
  feed(chars: Buffer): number {
    for (let i = 0; i < chars.length; i++) {
      if (this.endedBy) return i;
      this.take(chars[i]!);
    }
    return chars.length;
  }

  private take(b: number): void {
    if (this.profile.receive.endBytes.includes(b)) {
      if (this.started) this.finish("end-byte");
      return;
    }
    if (b === NUL || b === DEL || isDeviceControl(b)) return;
    if (!this.started) {
      if (this.profile.percentFramed ? b !== PERCENT : b === CR || b === LF || b === 0x20) return;
      this.started = true;
      this.push(b);
      return;
    }
    if (b === CR) {
      this.pendingCr = true;
      this.newLine();
      return;
    }
    if (b === LF) {
      if (this.pendingCr) {
        this.pendingCr = false;
        return;
      }
      this.newLine();
      return;
    }
    this.pendingCr = false;
    this.push(b);
    if (b === PERCENT && this.profile.percentFramed && this.text.length - 1 === this.lineStart) {
      // A % at the start of a line after the opening one closes the program.
      this.newLine();
      this.finish("percent");
    }
  }

  private push(b: number): void {
    this.text.push(b);
  }

  private newLine(): void {
    const line = Buffer.from(this.text.slice(this.lineStart)).toString("latin1");
    this.text.push(LF);
    this.lineCount++;
    this.lineStart = this.text.length;
    if (this.profile.header === "heidenhain" && HEIDENHAIN_END.test(line)) this.finish("end-of-program");
  }

  private finish(how: PunchEnd): void {
    if (this.endedBy) return;
    // Close an unterminated last line so the text always ends with an end of block.
    if (this.text.length > this.lineStart) {
      this.text.push(LF);
      this.lineStart = this.text.length;
    }
    this.endedBy = how;
  }

  /** End the program from outside (idle timeout) and return its text with LF ends of block. */
  result(): string {
    if (this.started && this.text.length > this.lineStart) {
      this.text.push(LF);
      this.lineStart = this.text.length;
    }
    return Buffer.from(this.text).toString("latin1");
  }
}
