import type { LineSettings } from "../profiles/schema.ts";

/**
 * Software emulation of character framing, for lines where nobody else does
 * it. A UART frames each character as start bit, data bits (LSB first), an
 * optional parity bit and stop bits. A pseudo-terminal (and a TCP socket that
 * carries a "wire" byte stream) moves plain 8-bit bytes and applies no framing
 * at all, so we represent one frame as *the first 8 bits after the start bit*:
 *
 *   8N1 / 8E1 / 8O1 → the 8 data bits (parity beyond the 8th bit is not representable)
 *   7E? / 7O?       → 7 data bits + the parity bit in bit 7
 *   7N?             → 7 data bits + the first stop bit (always 1) in bit 7
 *
 * This is exactly what a real UART set to 8N1 would see when a 7E2 control
 * talks to it (bit 7 holds the parity bit), so the same diagnosis works for
 * emulated and real lines. A receiver set to 7 data bits checks bit 7 as its
 * parity bit (parity error) or its stop bit (framing error when it is 0).
 */
export type DecodedChunk = {
  /** The characters (7-bit when the line has 7 data bits). */
  chars: Buffer;
  /** The bytes as they came off the link, for diagnosis. */
  raw: Buffer;
  parityErrors: number;
  framingErrors: number;
};

export interface CharacterCodec {
  /** Whether this codec changes bytes at all (false: bytes are characters). */
  readonly emulating: boolean;
  encode(chars: Buffer): Buffer;
  decode(wire: Buffer): DecodedChunk;
  /** Whether this wire byte carries a parity or framing error. */
  hasError(wireByte: number): boolean;
}

/** Parity bit that makes the number of ones in the 7 data bits plus the parity bit even/odd. */
export function parityBit(char7: number, parity: "even" | "odd"): number {
  let ones = 0;
  for (let v = char7 & 0x7f; v !== 0; v >>= 1) ones += v & 1;
  const evenBit = ones & 1;
  return parity === "even" ? evenBit : evenBit ^ 1;
}

export const IDENTITY_CODEC: CharacterCodec = {
  emulating: false,
  encode: (chars) => chars,
  decode: (wire) => ({ chars: wire, raw: wire, parityErrors: 0, framingErrors: 0 }),
  hasError: () => false,
};

/** The codec that makes a byte stream behave like a serial line with these settings. */
export function framingEmulation(line: LineSettings): CharacterCodec {
  if (line.dataBits === 8) return IDENTITY_CODEC;
  const { parity } = line;
  const bit7 = (c: number) => (parity === "none" ? 1 : parityBit(c, parity));
  return {
    emulating: true,
    encode(chars) {
      const out = Buffer.allocUnsafe(chars.length);
      for (let i = 0; i < chars.length; i++) {
        const c = chars[i]! & 0x7f;
        out[i] = c | (bit7(c) << 7);
      }
      return out;
    },
    decode(wire) {
      const chars = Buffer.allocUnsafe(wire.length);
      let parityErrors = 0;
      let framingErrors = 0;
      for (let i = 0; i < wire.length; i++) {
        const b = wire[i]!;
        const c = b & 0x7f;
        chars[i] = c;
        if (parity === "none") {
          if ((b & 0x80) === 0) framingErrors++;
        } else if (b >> 7 !== parityBit(c, parity)) parityErrors++;
      }
      return { chars, raw: wire, parityErrors, framingErrors };
    },
    hasError(b) {
      return parity === "none" ? (b & 0x80) === 0 : b >> 7 !== parityBit(b & 0x7f, parity);
    },
  };
}
