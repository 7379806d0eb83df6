import { describe, expect, it } from "vitest";
import { resolveProfile } from "../../src/dnc/profiles/index.ts";
import { fileNameFor, programIdentity } from "../../src/dnc/program/identity.ts";
import { buildSendPayload, linesCompleted, stripComments } from "../../src/dnc/program/payload.ts";
import { PunchDecoder } from "../../src/dnc/program/punch-decoder.ts";
import { contentHash, normaliseEob, splitProgramLines } from "../../src/dnc/program/text.ts";
import { sampleProgram } from "./fixtures.ts";

const fanuc = resolveProfile("fanuc");

describe("program text", () => {
  it("splits on LF, CR LF and CR alike", () => {
    expect(splitProgramLines("%\r\nO1\rG0\nM30\n")).toEqual(["%", "O1", "G0", "M30"]);
    expect(normaliseEob("a\r\nb\r")).toBe("a\nb\n");
    expect(contentHash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("finds O-numbers, Sinumerik and Heidenhain names", () => {
    expect(programIdentity(sampleProgram("fanuc-O1234.nc"), fanuc)).toEqual({ number: "O1234" });
    expect(programIdentity("%\n:0042\nM30\n%\n", fanuc)).toEqual({ number: "O0042" });
    const siemens = resolveProfile("siemens");
    expect(programIdentity(sampleProgram("siemens-PART1.mpf"), siemens)).toEqual({ name: "PART1_MPF" });
    expect(fileNameFor({ name: "PART1_MPF" }, siemens, new Date(0))).toBe("PART1.MPF");
    const heidenhain = resolveProfile("heidenhain");
    expect(programIdentity(sampleProgram("heidenhain-PLATE.h"), heidenhain)).toEqual({ name: "PLATE" });
    expect(fileNameFor({}, fanuc, new Date(0))).toBe("received-1970-01-01T00-00-00-000Z.nc");
  });
});

describe("send payload", () => {
  it("adds leader and trailer NULs and the profile's end of block", () => {
    const p = buildSendPayload("%\nO0001\nM30\n%\n", fanuc);
    expect(p.bytes.subarray(0, 20)).toEqual(Buffer.alloc(20));
    expect(p.bytes.subarray(20, p.bodyEnd).toString("latin1")).toBe("%\nO0001\nM30\n%\n");
    expect(p.bytes.length).toBe(20 + 14 + 20);
    expect(p.lines.map((l) => l.source)).toEqual([1, 2, 3, 4]);
    const crlf = buildSendPayload("A\nB\n", resolveProfile("heidenhain"));
    expect(crlf.bytes.toString("latin1")).toBe("A\r\nB\r\n");
  });

  it("resumes a drip-feed from a line, keeping the opening %", () => {
    const p = buildSendPayload("%\nO0001\nG1 X1\nG1 X2\nM30\n%\n", fanuc, { fromLine: 4 });
    expect(p.bytes.subarray(p.bodyStart, p.bodyEnd).toString("latin1")).toBe("%\nG1 X2\nM30\n%\n");
    expect(p.lines.map((l) => l.source)).toEqual([1, 4, 5, 6]);
    expect(() => buildSendPayload("%\nM30\n%\n", fanuc, { fromLine: 9 })).toThrow(/outside the program/);
  });

  it("strips comments when the profile says so", () => {
    expect(stripComments("G0 X1 (RAPID) Y2", fanuc.comments)).toBe("G0 X1  Y2");
    const strip = resolveProfile("fanuc", { comments: { strip: true }, leaderNuls: 0, trailerNuls: 0 });
    const p = buildSendPayload("%\nO0001 (NAME)\n(ONLY A COMMENT)\nM30\n%\n", strip);
    expect(p.bytes.toString("latin1")).toBe("%\nO0001\nM30\n%\n");
  });

  it("counts completed lines by offset", () => {
    const p = buildSendPayload("%\nO0001\nM30\n%\n", resolveProfile("fanuc", { leaderNuls: 0 }));
    expect(linesCompleted(p, 0)).toBe(0);
    expect(linesCompleted(p, 2)).toBe(1);
    expect(linesCompleted(p, 7)).toBe(1);
    expect(linesCompleted(p, 8)).toBe(2);
    expect(linesCompleted(p, 1000)).toBe(4);
  });
});

describe("punch decoder", () => {
  it("drops leader, DC2/DC4 and stops at the closing %", () => {
    const d = new PunchDecoder(fanuc);
    const wire = Buffer.concat([
      Buffer.from([0x12, 0, 0, 0]),
      Buffer.from("%\r\nO0001\r\nM30\r\n%\r\n", "latin1"),
      Buffer.from([0, 0, 0x14]),
    ]);
    const used = d.feed(wire);
    expect(d.endedBy).toBe("percent");
    expect(used).toBeLessThan(wire.length);
    expect(d.result()).toBe("%\nO0001\nM30\n%\n");
  });

  it("ends on EOT and closes an unterminated last line", () => {
    const d = new PunchDecoder(resolveProfile("siemens"));
    d.feed(Buffer.from("\n%_N_A_MPF\nM30", "latin1"));
    expect(d.endedBy).toBeUndefined();
    d.feed(Buffer.from([0x04]));
    expect(d.endedBy).toBe("end-byte");
    expect(d.result()).toBe("%_N_A_MPF\nM30\n");
  });

  it("ends on a Heidenhain END PGM line, across chunk boundaries", () => {
    const d = new PunchDecoder(resolveProfile("heidenhain"));
    const text = "0 BEGIN PGM P MM\r\n1 L Z+100 R0 FMAX\r\n2 END PGM P MM\r\n";
    for (const ch of text) d.feed(Buffer.from(ch, "latin1"));
    expect(d.endedBy).toBe("end-of-program");
    expect(d.result()).toBe("0 BEGIN PGM P MM\n1 L Z+100 R0 FMAX\n2 END PGM P MM\n");
  });
});
