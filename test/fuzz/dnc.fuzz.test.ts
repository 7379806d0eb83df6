import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { framingEmulation } from "../../src/dnc/line/codec.ts";
import { PROFILE_IDS, resolveProfile } from "../../src/dnc/profiles/index.ts";
import { PunchDecoder } from "../../src/dnc/program/punch-decoder.ts";
import { validateProgram } from "../../src/dnc/validate.ts";
import { chunked, expectBoundedOutput, fuzzParameters, hostileText, withinBudget } from "./support.ts";

// DNC reads bytes from a control's serial line (a program punched back, the
// receive path) and program files a trainee uploads (validated before send).
// Both must be total, linear and bounded.

const PROFILES = PROFILE_IDS.map((id) => resolveProfile(id));
const GCODE_PIECES = [
  "%",
  "O1001",
  "N10",
  "G01",
  "X-1.5",
  "(",
  ")",
  ";",
  "\n",
  "\r\n",
  "\r",
  " ",
  "M30",
  "M02",
  "\t",
  "é",
  "x",
  "BEGIN PGM",
  "END PGM 1 MM",
  "\u0000",
  "\u0004",
  "\u0013",
];
const GCODE_UNITS = ["(", "((", ")", "\n", "%\n", "G01 X1 ", ";"];

describe("fuzz: DNC program validation", () => {
  it("validates any text for every profile within budget, with a bounded report", () => {
    fc.assert(
      fc.property(
        hostileText(GCODE_PIECES, GCODE_UNITS, 10_000),
        fc.constantFrom(...PROFILES),
        fc.constantFrom("send" as const, "drip" as const),
        (text, profile, mode) => {
          const report = withinBudget(`validateProgram (${profile.id})`, () =>
            validateProgram(text, profile, { mode }),
          );
          // maxPerCode (20) bounds the messages whatever the program holds.
          expect(report.messages.length).toBeLessThanOrEqual(20 * 14 + 14);
          expectBoundedOutput(
            "message characters",
            20 * 14 + 14,
            report.messages.reduce((n, m) => n + m.message.length, 0),
            400,
          );
        },
      ),
      fuzzParameters(),
    );
  });
});

describe("fuzz: DNC receive path (bytes punched by a control)", () => {
  it("decodes any bytes in any chunks to the same program, within budget, at most twice the bytes", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
      hostileText(GCODE_PIECES, GCODE_UNITS, 10_000).map((t) => Buffer.from(t, "latin1")),
    );
    fc.assert(
      fc.property(
        bytes,
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.constantFrom(...PROFILES),
        (input, cuts, profile) => {
          const decode = (chunks: Buffer[]) => {
            const decoder = new PunchDecoder(profile);
            const codec = framingEmulation(profile.line);
            for (const c of chunks) {
              const { chars } = codec.decode(c);
              if (decoder.feed(chars) < chars.length) break;
            }
            return { text: decoder.result(), ended: decoder.endedBy };
          };
          const whole = withinBudget(`receive (${profile.id})`, () => decode([input]));
          const pieces = withinBudget(`receive in chunks (${profile.id})`, () =>
            decode(chunked(input, cuts)),
          );
          expect(pieces).toEqual(whole);
          // An end of block may be added per line, never more.
          expectBoundedOutput("program characters", input.length, whole.text.length, 2, 1);
        },
      ),
      fuzzParameters(),
    );
  });
});
