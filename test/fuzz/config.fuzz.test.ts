import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { substitute } from "../../src/config/env.ts";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import { attempt, expectBoundedOutput, fuzzParameters, hostileText, withinBudget } from "./support.ts";

// The config file is written by a technician and its ${VARS} come from the
// environment: both may hold anything. The loader must answer with a
// ConfigError (never a stack), within budget, and never show a value taken
// from the environment.

/**
 * Longest repetition in a config value. The config file is local and read once at start, and the
 * yaml package is not linear in everything: unclosed flow mappings nested 500 deep take it 50–90 ms,
 * 2,000 deep 250 ms (with or without prettyErrors). So values stay a few KB here and whole-file
 * text less; the `${…}` scanner, which is ours, is fuzzed at full length below.
 */
const LONG = 500;
const LONG_FILE = 100;

const BASE = `site: raufoss
gateway: { id: gw-1 }
mqtt:
  url: "mqtt://gw:@@PW@@@broker:1883"
  username: "@@USER@@"
  password: "@@PW@@"
  signalQos: "@@QOS@@"
machines:
  - id: "@@ID@@"
    name: "@@NAME@@"
    kind: lathe
    monitor: { type: shdr, host: "@@HOST@@", port: "@@PORT@@" }
`;

const SLOTS = ["PW", "USER", "QOS", "ID", "NAME", "HOST", "PORT"];
const VALUE_PIECES = [
  "#",
  ": ",
  " ",
  '"',
  "'",
  "\\",
  "\n",
  "${",
  "}",
  ":-",
  "*a",
  "&a",
  "{",
  "[",
  "1",
  "x",
  "é",
  "@",
];

/** A secret: recognisable in any message, with the characters that break naive YAML handling around it. */
const secret = fc
  .tuple(fc.array(fc.constantFrom(...VALUE_PIECES), { maxLength: 8 }), fc.nat(99_999))
  .map(([pieces, n]) => `S3CR3T${n}${pieces.join("")}`);

/** What a slot holds in the file: a reference to a variable, a literal, or hostile text. */
const slot = fc.oneof(
  fc.constantFrom("${V}", "${V:-1}", "${V:-x}", "x${V}y", "${MISSING}", "1", "lathe-1", "raufoss"),
  hostileText(VALUE_PIECES, ["${A:-", "${", "}", "*a", '"'], LONG).map((t) =>
    t.replace(/"/g, '\\"').replace(/\n/g, "\\n"),
  ),
);

describe("fuzz: config loader with ${…} substitution", () => {
  it("answers a config or a ConfigError within budget, and never shows a value from the environment", () => {
    fc.assert(
      fc.property(
        fc.array(slot, { minLength: SLOTS.length, maxLength: SLOTS.length }),
        secret,
        (slots, value) => {
          let text = BASE;
          SLOTS.forEach((name, i) => {
            text = text.replaceAll(`@@${name}@@`, slots[i]!);
          });
          const outcome = withinBudget("parseConfig", () =>
            attempt(() => parseConfig(text, "fuzz.yaml", { V: value }), [ConfigError]),
          );
          if (outcome.ok) return;
          expect(outcome.error.message).not.toContain("S3CR3T");
          expect(outcome.error.message).not.toMatch(/ReferenceError|TypeError|\n\s+at /);
          expectBoundedOutput("message characters", text.length + 2000, outcome.error.message.length, 4);
        },
      ),
      fuzzParameters(),
    );
  });

  it("any text as the file: a config or a ConfigError, within budget", () => {
    const yamlish = hostileText(
      [
        "a",
        ": ",
        "- ",
        "\n",
        "  ",
        "&a ",
        "*a",
        "<<: ",
        "${A:-",
        "}",
        "{",
        "}",
        "[",
        "]",
        '"',
        "#",
        "site",
        "machines",
        "!!",
        "%",
      ],
      ["*a, ", "&a [", "${A:-", "[", "{a: "],
      LONG_FILE,
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        withinBudget("parseConfig (any text)", () =>
          attempt(() => parseConfig(text, "fuzz.yaml", {}), [ConfigError]),
        );
      }),
      fuzzParameters(),
    );
  });

  it("substitution is linear and makes no more than the text plus the values", () => {
    fc.assert(
      fc.property(
        hostileText(["${", "A", ":-", "}", "$", "{", "x"], ["${A:-", "${A", "${", "}"]),
        secret,
        (text, value) => {
          const result = withinBudget("substitute", () => substitute(text, { A: value }));
          expectBoundedOutput("substituted characters", text.length, result.value.length, 1 + value.length);
        },
      ),
      fuzzParameters(),
    );
  });
});
