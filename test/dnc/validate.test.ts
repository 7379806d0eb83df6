import { describe, expect, it } from "vitest";
import { allProfiles, PROFILE_IDS, resolveProfile } from "../../src/dnc/profiles/index.ts";
import { formatValidationMessage, validateProgram } from "../../src/dnc/validate.ts";
import { longFanucProgram, sampleProgram } from "./fixtures.ts";

const fanuc = resolveProfile("fanuc");
const messagesOf = (text: string, profile = fanuc, mode: "send" | "drip" = "send") =>
  validateProgram(text, profile, { mode }).messages.map((m) => formatValidationMessage("p.nc", m));

describe("profiles", () => {
  it("are all valid data", () => {
    expect(allProfiles().map((p) => p.id)).toEqual([...PROFILE_IDS]);
  });

  it("take overrides one level deep and are validated again", () => {
    const p = resolveProfile("fanuc", { line: { baud: 4800 }, memoryBytes: 1000 });
    expect(p.line).toEqual({ baud: 4800, dataBits: 7, parity: "even", stopBits: 2 });
    expect(p.memoryBytes).toBe(1000);
    expect(() => resolveProfile("fanuc", { line: { baud: 12345 } })).toThrow(/line\.baud: expected one of/);
  });
});

describe("validation", () => {
  it("accepts the sample program of each profile", () => {
    const samples: [string, string][] = [
      ["fanuc", "fanuc-O1234.nc"],
      ["haas", "haas-O01001.nc"],
      ["siemens", "siemens-PART1.mpf"],
      ["heidenhain", "heidenhain-PLATE.h"],
      ["generic", "fanuc-O1234.nc"],
    ];
    for (const [id, file] of samples) {
      const report = validateProgram(sampleProgram(file), resolveProfile(id as "fanuc"));
      expect(report.messages, `${id} ${file}`).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });

  it("reports an empty file", () => {
    expect(messagesOf("")).toEqual(["p.nc:1: error: the file is empty: there is no program to send"]);
    expect(messagesOf("%\n\n%\n")).toEqual(["p.nc:1: error: the file is empty: there is no program to send"]);
  });

  it("reports missing % at start and end", () => {
    expect(messagesOf("O0001\nG00 X0.\nM30\n")).toEqual([
      "p.nc:1: error: missing '%' at the start: Fanuc (ISO, RS-232) programs begin with a line holding only %",
      "p.nc:3: error: missing '%' at the end: Fanuc (ISO, RS-232) programs end with a line holding only % (after M30)",
    ]);
  });

  it("reports characters that are not allowed, with line and column", () => {
    expect(messagesOf("%\nO0001\nG00 X1.\tY2.\nG01 Xé\nM30\n%\n")).toEqual([
      "p.nc:3:8: error: tab (0x09) is not allowed by Fanuc (ISO, RS-232)",
      "p.nc:4:6: error: 'é' (U+00E9, not ASCII) is not allowed by Fanuc (ISO, RS-232)",
    ]);
    expect(messagesOf("%\nO0001\ng00 x0.\nM30\n%\n")).toEqual([
      "p.nc:3:1: error: lower-case 'g' is not allowed outside comments by Fanuc (ISO, RS-232): write 'G'",
      "p.nc:3:5: error: lower-case 'x' is not allowed outside comments by Fanuc (ISO, RS-232): write 'X'",
    ]);
    // Lower case inside a comment is fine on Fanuc.
    expect(messagesOf("%\nO0001 (Flange)\nM30\n%\n")).toEqual([]);
  });

  it("reports bad and missing O-numbers", () => {
    expect(messagesOf("%\nO12345\nM30\n%\n")).toEqual([
      "p.nc:2:1: error: bad program number 'O12345': Fanuc (ISO, RS-232) expects O0001–O9999",
    ]);
    expect(messagesOf("%\nO0000\nM30\n%\n")).toEqual([
      "p.nc:2:1: error: 'O0000' is not a valid program number (Fanuc (ISO, RS-232) expects O0001–O9999)",
    ]);
    expect(messagesOf("%\nG00 X0.\nM30\n%\n")).toEqual([
      "p.nc:2: error: missing program number: the first line after % should start with one (O0001–O9999)",
    ]);
    expect(messagesOf("%\nO1001\nM30\n%\n", resolveProfile("haas"))).toEqual([
      "p.nc:2:1: error: bad program number 'O1001': Haas (RS-232) expects O00001–O99999",
    ]);
  });

  it("reports unbalanced and nested comments", () => {
    expect(messagesOf("%\nO0001\nG00 X0. (RAPID\nG01 X1.) F100.\nG00 (A (B) C)\nM30\n%\n")).toEqual([
      "p.nc:3:9: error: comment opened at column 9 is not closed on this line (add ')')",
      "p.nc:4:8: error: ')' without an opening '('",
      "p.nc:5:8: error: '(' inside a comment opened at column 5: Fanuc (ISO, RS-232) comments cannot nest",
      "p.nc:5:13: error: ')' without an opening '('",
    ]);
  });

  it("reports lines that are too long", () => {
    const long = `G01 X1. ${"Y1.".repeat(50)}`;
    expect(messagesOf(`%\nO0001\n${long}\nM30\n%\n`)).toEqual([
      `p.nc:3:129: error: line is ${long.length} characters; Fanuc (ISO, RS-232) accepts at most 128: split the block`,
    ]);
  });

  it("suggests drip-feed for a program larger than the control's memory, but not when drip-feeding", () => {
    const big = longFanucProgram(70_000);
    const msgs = messagesOf(big);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(
      /^p\.nc:1: error: the program is 7\d,\d{3} bytes, larger than the control's memory \(64,000 bytes\): drip-feed it instead \(maskinport dnc drip\)$/,
    );
    expect(messagesOf(big, fanuc, "drip")).toEqual([]);
  });

  it("warns when there is no program end", () => {
    expect(messagesOf("%\nO0001\nG00 X0.\n%\n")).toEqual([
      "p.nc:3: warning: no program end (M30, M02 or M99) found",
    ]);
    expect(validateProgram("%\nO0001\nG00 X0.\n%\n", fanuc).ok).toBe(true);
  });

  it("checks Sinumerik and Heidenhain headers", () => {
    expect(messagesOf("G0 X1\nM30\n", resolveProfile("siemens"))).toEqual([
      "p.nc:1: error: missing Sinumerik header: the first line must be %_N_<NAME>_MPF (main program) or %_N_<NAME>_SPF",
    ]);
    expect(
      messagesOf("0 BEGIN PGM A MM\n1 L X+1 FMAX\n2 END PGM B MM\n", resolveProfile("heidenhain")),
    ).toEqual(["p.nc:3: error: END PGM B does not match BEGIN PGM A"]);
  });

  it("caps repeated messages", () => {
    const lines = Array.from({ length: 30 }, () => "g00");
    const report = validateProgram(`%\nO0001\n${lines.join("\n")}\nM30\n%\n`, fanuc);
    expect(report.errors).toBe(30);
    expect(report.messages.filter((m) => m.code === "lowercase")).toHaveLength(20);
    expect(report.messages.some((m) => m.message === "10 more 'lowercase' problems not listed")).toBe(true);
  });
});
