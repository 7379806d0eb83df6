import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShdrKeyMap } from "../../src/adapters/shdr/key-map.ts";
import { ShdrLineFramer } from "../../src/adapters/shdr/line-framer.ts";
import { ShdrLineParser } from "../../src/adapters/shdr/line-parser.ts";
import { ShdrStream } from "../../src/adapters/shdr/stream.ts";
import { splitShdrFields } from "../../src/adapters/shdr/tokenize.ts";
import { chunked, expectBoundedOutput, fuzzParameters, hostileText, withinBudget } from "./support.ts";

// SHDR arrives from machines over plain TCP: framer → tokenizer → line parser
// → key map and conversion. Every stage must be linear, total (never throw)
// and bounded in what it makes of its input.

const TS = "2024-03-01T08:00:00.000Z";
const SHDR_PIECES = [
  "|",
  '"',
  "\\",
  " ",
  "a",
  "key",
  "1.5",
  "UNAVAILABLE",
  "FAULT",
  "NORMAL",
  TS,
  "@ASSET@",
  "--multiline--AB",
  "AB",
  "*",
  "\t",
  "é",
  "\r",
  "\n",
  "",
];

/**
 * The tokenizer as it was before issue 13 (quadratic on unclosed quotes, and
 * otherwise right): the oracle the linear one must agree with on small lines.
 */
function referenceSplit(line: string): string[] {
  const trimmed = (s: string) => s.trim();
  const readQuoted = (start: number): { value: string; next: number } | undefined => {
    let value = "";
    let i = start + 1;
    while (i < line.length) {
      const ch = line[i];
      if (ch === "\\" && i + 1 < line.length) {
        value += line[i + 1];
        i += 2;
        continue;
      }
      if (ch === '"') {
        let j = i + 1;
        while (j < line.length && line.charCodeAt(j) <= 32) j++;
        if (j >= line.length || line[j] === "|") return { value, next: j };
      }
      value += ch;
      i++;
    }
    return undefined;
  };
  if (line.indexOf('"') < 0) return line.split("|").map(trimmed);
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && line.charCodeAt(i) <= 32) i++;
    if (i < line.length && line[i] === '"') {
      const quoted = readQuoted(i);
      if (quoted) {
        out.push(quoted.value);
        i = quoted.next;
        if (i >= line.length) return out;
        i++;
        continue;
      }
    }
    const bar = line.indexOf("|", i);
    if (bar < 0) {
      out.push(trimmed(line.slice(i)));
      return out;
    }
    out.push(trimmed(line.slice(i, bar)));
    i = bar + 1;
  }
}

const smallLine = fc
  .array(fc.constantFrom(...SHDR_PIECES.filter((p) => p !== "\n")), { maxLength: 40 })
  .map((a) => a.join(""));
/** Repetition units: an unclosed quote per field (`|"a`), escapes, bare quotes and bars. */
const STRUCTURAL = ['|"a', '|"', '"', "\\", "|", "a", " "];
const anyLine = hostileText(
  SHDR_PIECES.filter((p) => p !== "\n"),
  STRUCTURAL,
);

describe("fuzz: SHDR tokenizer", () => {
  it("agrees with the old tokenizer on small lines, with and without a field limit", () => {
    fc.assert(
      fc.property(smallLine, fc.integer({ min: 0, max: 12 }), (line, limit) => {
        const expected = referenceSplit(line);
        expect(splitShdrFields(line)).toEqual(expected);
        expect(splitShdrFields(line, limit)).toEqual(expected.slice(0, limit + 1));
      }),
      fuzzParameters(4),
    );
  });

  it("is linear and never makes more than the line holds", () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        const fields = withinBudget("splitShdrFields", () => splitShdrFields(line));
        expectBoundedOutput("fields", line.length + 1, fields.length, 1);
        expectBoundedOutput(
          "field characters",
          line.length,
          fields.reduce((n, f) => n + f.length, 0),
          1,
        );
      }),
      fuzzParameters(),
    );
  });
});

describe("fuzz: SHDR framer", () => {
  it("frames the same lines whatever the chunks, never more bytes than came in", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
      hostileText(SHDR_PIECES, STRUCTURAL, 5000).map((s) => Buffer.from(s)),
    );
    fc.assert(
      fc.property(
        bytes,
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer({ min: 16, max: 4096 }),
        (input, cuts, cap) => {
          const frame = (chunks: Buffer[]) => {
            const events: string[] = [];
            const framer = new ShdrLineFramer(cap);
            const sink = {
              line: (t: string) => events.push(`L${t}`),
              error: (r: string) => events.push(`E${r}`),
            };
            for (const c of chunks) framer.push(c, sink);
            return events;
          };
          const whole = withinBudget("framer (one chunk)", () => frame([input]));
          const pieces = withinBudget("framer (chunks)", () => frame(chunked(input, cuts)));
          // Over-long lines are reported as they are discovered, which depends on the chunks; lines do not.
          expect(pieces.filter((e) => e.startsWith("L"))).toEqual(whole.filter((e) => e.startsWith("L")));
          const lineBytes = whole
            .filter((e) => e.startsWith("L"))
            .reduce((n, e) => n + Buffer.byteLength(e) - 1, 0);
          expectBoundedOutput("line bytes", input.length, lineBytes, 1);
        },
      ),
      fuzzParameters(),
    );
  });
});

describe("fuzz: SHDR line parser and stream", () => {
  it("never throws, stays in budget, and makes at most one reading per two bytes", () => {
    const lines = fc.array(
      fc.oneof(
        anyLine,
        fc
          .array(
            fc.constantFrom(
              "|k",
              "|avail",
              "|AVAILABLE",
              "|system",
              "|FAULT",
              '|"x',
              "|1",
              "|",
              "|@ASSET@",
              "|ts",
            ),
            { maxLength: 60 },
          )
          .map((a) => TS + a.join("")),
      ),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(lines, fc.array(fc.nat(), { maxLength: 10 }), (input, cuts) => {
        const bytes = Buffer.from(`${input.join("\n")}\n`);
        const readings = withinBudget("ShdrStream.push", () => {
          const stream = new ShdrStream({
            machine: "m",
            keyMap: new ShdrKeyMap({ maxKeys: 100 }),
            maxLineBytes: 1024 * 1024,
          });
          return chunked(bytes, cuts).flatMap((c) => stream.push(c, 0));
        });
        // +1: availability is implied by the first record.
        expectBoundedOutput("readings", bytes.length / 2, readings.length, 1, 1);
        const valueChars = readings.reduce(
          (n, r) => n + (typeof r.value === "string" ? r.value.length : 1) + (r.alarm?.text.length ?? 0),
          0,
        );
        expectBoundedOutput("value characters", bytes.length, valueChars, 1, 16);
      }),
      fuzzParameters(),
    );
  });

  it("a line parser never throws on any line, in or out of a --multiline-- block", () => {
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 10 }), (lines) => {
        withinBudget("ShdrLineParser", () => {
          const parser = new ShdrLineParser({ keyType: () => "sample", maxBlockChars: 4096 });
          return lines.map((l) => parser.parseLine(l, 0));
        });
      }),
      fuzzParameters(),
    );
  });
});
