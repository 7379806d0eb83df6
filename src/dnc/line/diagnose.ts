import { describeLine, type LineSettings } from "../profiles/schema.ts";
import { parityBit } from "./codec.ts";

/** How a sender framed its characters, as judged from bit 7 of each byte (see codec.ts). */
export type Framing = "8-bit" | "7-even" | "7-odd" | "7-none";

const FRAMING_TEXT: Record<Framing, string> = {
  "8-bit": "8 data bits without parity (8N1)",
  "7-even": "7 data bits with even parity (7E1/7E2)",
  "7-odd": "7 data bits with odd parity (7O1/7O2)",
  "7-none": "7 data bits without parity (7N2; the 8th bit is a stop bit)",
};

const FRAMING_FIX: Record<Framing, string> = {
  "8-bit": "dataBits: 8, parity: none",
  "7-even": "dataBits: 7, parity: even",
  "7-odd": "dataBits: 7, parity: odd",
  "7-none": "dataBits: 7, parity: none",
};

/** Fewer characters than this cannot tell framings apart reliably. */
const MIN_CHARS = 4;

/**
 * The framings consistent with raw bytes as an 8-bit receiver sees them: a
 * 7-bit sender leaves its parity or stop bit in bit 7, an 8-bit ASCII sender
 * leaves 0 there. Text made only of characters whose even parity bit is 0 fits
 * both 8N1 and 7E, so this returns a set. NUL leader bytes are ignored.
 * Undefined when there are too few characters to judge.
 */
export function consistentFramings(raw: Buffer): Set<Framing> | undefined {
  let n = 0;
  const fits: Record<Framing, boolean> = { "8-bit": true, "7-even": true, "7-odd": true, "7-none": true };
  for (const b of raw) {
    const c = b & 0x7f;
    if (c === 0) continue;
    n++;
    const hi = b >> 7;
    if (hi !== 0) fits["8-bit"] = false;
    if (hi !== 1) fits["7-none"] = false;
    if (hi !== parityBit(c, "even")) fits["7-even"] = false;
    if (hi !== parityBit(c, "odd")) fits["7-odd"] = false;
  }
  if (n < MIN_CHARS) return undefined;
  return new Set((Object.keys(fits) as Framing[]).filter((f) => fits[f]));
}

export function framingOf(line: LineSettings): Framing {
  if (line.dataBits === 8) return "8-bit";
  return line.parity === "even" ? "7-even" : line.parity === "odd" ? "7-odd" : "7-none";
}

/**
 * A message naming the wrong setting, or undefined when the bytes fit the
 * configured framing (or are too few to tell). Bytes that fit no framing at
 * all usually mean a wrong baud rate.
 */
export function diagnoseFraming(
  raw: Buffer,
  configured: LineSettings,
  view: "8-bit-wire" | "7-bit-chars" = "8-bit-wire",
): string | undefined {
  if (view === "7-bit-chars") {
    // A UART set to 7 data bits never delivers bit 7; a device server set to 8 bits does.
    if (!raw.some((b) => b >= 0x80)) return undefined;
    const fits = consistentFramings(raw);
    const sender =
      fits && fits.size > 0
        ? ` (the machine seems to send ${[...fits].map((f) => FRAMING_TEXT[f]).join(" or ")})`
        : "";
    return (
      `received bytes with the 8th bit set although the line is set to ${describeLine(configured)}: ` +
      `the serial device server (or adapter) is set to 8 data bits; set it to ${describeLine(configured)}${sender}`
    );
  }
  const fits = consistentFramings(raw);
  if (fits === undefined) return undefined;
  const expected = framingOf(configured);
  if (fits.has(expected)) return undefined;
  const port = describeLine(configured);
  const [only, ...more] = [...fits];
  if (only === undefined) {
    return (
      `the received characters fit no framing (${port} expected): check that the port's baud rate ` +
      `matches the control's, and the cable`
    );
  }
  const guess =
    more.length === 0 ? FRAMING_TEXT[only] : [only, ...more].map((f) => FRAMING_TEXT[f]).join(" or ");
  return (
    `the machine seems to send ${guess}, but the port is set to ${port}: set ${FRAMING_FIX[only]} ` +
    `in the machine's dnc section (or use a profile that does), and compare with the control's own setting`
  );
}
