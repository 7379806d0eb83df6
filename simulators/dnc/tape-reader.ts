import type { DncProfile } from "../../src/dnc/profiles/index.ts";

/**
 * How the simulated control reads program text from its input buffer (store
 * mode): it skips leader (NUL, DEL, blank lines) until the program starts,
 * converts the profile's end of block to LF and knows where the program ends.
 * Deliberately written apart from the gateway's PunchDecoder, so that the two
 * sides of a test do not share a mistake.
 */
export class TapeReader {
  private readonly profile: DncProfile;
  private chars: string[] = [];
  private reading = false;
  private lastWasCr = false;

  constructor(profile: DncProfile) {
    this.profile = profile;
  }

  get active(): boolean {
    return this.reading;
  }

  /** Take one character; returns the finished program text when this character ends it. */
  take(code: number): string | undefined {
    const ch = String.fromCharCode(code);
    if (!this.reading) {
      if (code === 0 || code === 0x7f || code === 0x0a || code === 0x0d || code === 0x20) return undefined;
      if (this.profile.percentFramed && ch !== "%") return undefined;
      if (this.profile.receive.endBytes.includes(code)) return undefined;
      this.reading = true;
      this.chars = [ch];
      return undefined;
    }
    if (this.profile.receive.endBytes.includes(code)) return this.finish();
    if (code === 0 || code === 0x7f) return undefined;
    if (code === 0x0d) {
      this.chars.push("\n");
      this.lastWasCr = true;
      return this.lineEnded();
    }
    if (code === 0x0a) {
      if (this.lastWasCr) {
        this.lastWasCr = false;
        return undefined;
      }
      this.chars.push("\n");
      return this.lineEnded();
    }
    this.lastWasCr = false;
    this.chars.push(ch);
    if (ch === "%" && this.profile.percentFramed && this.chars.at(-2) === "\n") {
      this.chars.push("\n");
      return this.finish();
    }
    return undefined;
  }

  /** End the program from outside (idle line, or the simulator is told to stop reading). */
  finish(): string | undefined {
    if (!this.reading) return undefined;
    this.reading = false;
    if (this.chars.length > 0 && this.chars.at(-1) !== "\n") this.chars.push("\n");
    const text = this.chars.join("");
    this.chars = [];
    return text;
  }

  private lineEnded(): string | undefined {
    if (this.profile.header !== "heidenhain") return undefined;
    const text = this.chars.join("");
    const lastLine = text.slice(text.lastIndexOf("\n", text.length - 2) + 1, -1);
    return /^\s*\d+\s+END\s+PGM\s/i.test(lastLine) ? this.finish() : undefined;
  }
}

/** The name a control files a received program under. */
export function storedName(text: string, profile: DncProfile): string {
  const first = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "" && l !== "%");
  if (!first) return "UNNAMED";
  if (profile.header === "sinumerik")
    return /^%_N_(\w+?)_(MPF|SPF)/.exec(first)?.slice(1, 3).join("_") ?? "UNNAMED";
  if (profile.header === "heidenhain") return /BEGIN\s+PGM\s+(\S+)/i.exec(first)?.[1] ?? "UNNAMED";
  const m = /^[O:](\d+)/.exec(first);
  return m ? `O${m[1]}` : "UNNAMED";
}
