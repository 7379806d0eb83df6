import type { DncError } from "../errors.ts";
import { type CharacterCodec, type DecodedChunk, framingEmulation, IDENTITY_CODEC } from "../line/codec.ts";
import { diagnoseFraming } from "../line/diagnose.ts";
import { describeLine, type FlowControl, type LineSettings } from "../profiles/schema.ts";
import type { ByteLink } from "./link.ts";

/** Emulate framing on this link: auto = on a pseudo-terminal only. */
export type FramingEmulation = "auto" | "on" | "off";

/**
 * A link seen as a serial line with settings: characters in, characters out,
 * with framing emulated where the link does not do it (see line/codec.ts).
 */
export class DncPort {
  readonly link: ByteLink;
  readonly line: LineSettings;
  readonly flowControl: FlowControl;
  readonly codec: CharacterCodec;
  /** How to read raw bytes when diagnosing framing (see diagnoseFraming). */
  readonly rawView: "8-bit-wire" | "7-bit-chars";

  constructor(
    link: ByteLink,
    line: LineSettings,
    flowControl: FlowControl,
    emulation: FramingEmulation = "auto",
  ) {
    this.link = link;
    this.line = line;
    this.flowControl = flowControl;
    const emulate = emulation === "on" || (emulation === "auto" && link.kind === "pty");
    this.codec = emulate ? framingEmulation(line) : IDENTITY_CODEC;
    this.rawView = emulate || line.dataBits === 8 ? "8-bit-wire" : "7-bit-chars";
  }

  get description(): string {
    return `${this.link.description} ${describeLine(this.line)}${this.codec.emulating ? " (framing emulated)" : ""}`;
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  write(chars: Buffer): Promise<void> {
    return this.link.write(this.codec.encode(chars));
  }

  onData(listener: (chunk: DecodedChunk) => void): () => void {
    return this.link.onData((raw) => listener(this.codec.decode(raw)));
  }

  onClose(listener: (error: DncError | undefined) => void): () => void {
    return this.link.onClose(listener);
  }

  /** A message naming the wrong line setting if these raw bytes do not fit ours. */
  diagnose(raw: Buffer): string | undefined {
    return diagnoseFraming(raw, this.line, this.rawView);
  }

  close(): Promise<void> {
    return this.link.close();
  }
}
