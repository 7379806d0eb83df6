import { describe, expect, it } from "vitest";
import { framingEmulation, IDENTITY_CODEC, parityBit } from "../../src/dnc/line/codec.ts";
import { consistentFramings, diagnoseFraming } from "../../src/dnc/line/diagnose.ts";
import { bitsPerChar, charsPerSecond, type LineSettings } from "../../src/dnc/profiles/index.ts";

const L7E2: LineSettings = { baud: 9600, dataBits: 7, parity: "even", stopBits: 2 };
const L7O1: LineSettings = { baud: 9600, dataBits: 7, parity: "odd", stopBits: 1 };
const L7N2: LineSettings = { baud: 9600, dataBits: 7, parity: "none", stopBits: 2 };
const L8N1: LineSettings = { baud: 115200, dataBits: 8, parity: "none", stopBits: 1 };
const TEXT = Buffer.from("%\nO1234 (FLANGE)\nG00 X100. Z2.\nM30\n%\n", "latin1");

describe("line rates", () => {
  it("counts start, data, parity and stop bits", () => {
    expect(bitsPerChar(L7E2)).toBe(11);
    expect(charsPerSecond(L7E2)).toBeCloseTo(872.7, 1);
    expect(charsPerSecond(L8N1)).toBe(11_520);
  });
});

describe("framing emulation", () => {
  it("puts the even parity bit in bit 7: DC1 stays 0x11, DC3 becomes 0x93", () => {
    expect(parityBit(0x11, "even")).toBe(0);
    expect(parityBit(0x13, "even")).toBe(1);
    const codec = framingEmulation(L7E2);
    expect([...codec.encode(Buffer.from([0x11, 0x13, 0x25, 0x41]))]).toEqual([0x11, 0x93, 0xa5, 0x41]);
  });

  it("round-trips text with 7E2, 7O1 and 7N2", () => {
    for (const line of [L7E2, L7O1, L7N2]) {
      const codec = framingEmulation(line);
      const decoded = codec.decode(codec.encode(TEXT));
      expect(decoded.chars).toEqual(TEXT);
      expect(decoded.parityErrors + decoded.framingErrors).toBe(0);
    }
  });

  it("is the identity for 8 data bits", () => {
    expect(framingEmulation(L8N1)).toBe(IDENTITY_CODEC);
  });

  it("counts parity errors when an 8N1 sender talks to a 7E2 receiver", () => {
    const decoded = framingEmulation(L7E2).decode(TEXT);
    expect(decoded.parityErrors).toBeGreaterThan(0);
  });

  it("counts framing errors when an 8N1 sender talks to a 7N2 receiver (stop bit 0)", () => {
    expect(framingEmulation(L7N2).decode(TEXT).framingErrors).toBe(TEXT.length);
  });
});

describe("framing diagnosis", () => {
  it("names 7E when a 7E2 machine talks to a port set to 8N1", () => {
    const wire = framingEmulation(L7E2).encode(TEXT);
    expect(consistentFramings(wire)).toEqual(new Set(["7-even"]));
    const msg = diagnoseFraming(wire, L8N1);
    expect(msg).toMatch(/7 data bits with even parity/);
    expect(msg).toMatch(/port is set to 115200 8N1/);
    expect(msg).toMatch(/set dataBits: 7, parity: even/);
  });

  it("names 8N1 when an 8N1 machine talks to a port set to 7E2", () => {
    expect(diagnoseFraming(TEXT, L7E2)).toMatch(/8 data bits without parity.*set dataBits: 8, parity: none/);
  });

  it("names 7N when the 8th bit is always a stop bit", () => {
    expect(diagnoseFraming(framingEmulation(L7N2).encode(TEXT), L8N1)).toMatch(/without parity \(7N2/);
  });

  it("says nothing when the framing fits, or when there are too few characters", () => {
    expect(diagnoseFraming(framingEmulation(L7E2).encode(TEXT), L7E2)).toBeUndefined();
    expect(diagnoseFraming(TEXT, L8N1)).toBeUndefined();
    expect(diagnoseFraming(Buffer.from([0x93]), L8N1)).toBeUndefined();
  });

  it("blames the device server when a 7-bit line delivers 8-bit bytes", () => {
    const wire = framingEmulation(L7E2).encode(TEXT);
    expect(diagnoseFraming(wire, L7E2, "7-bit-chars")).toMatch(/device server .* set to 8 data bits/);
    expect(diagnoseFraming(TEXT, L7E2, "7-bit-chars")).toBeUndefined();
  });
});
