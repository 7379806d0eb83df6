import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/load.ts";
import { parseCatalogueText } from "../../src/evidence/catalogue/load.ts";
import { parseCheckinCommand } from "../../src/training/checkin/command.ts";
import { CsvError, parseCsv } from "../../src/training/people/csv.ts";
import { parseEventsQuery } from "../../src/web/events-query.ts";
import { attempt, expectBoundedOutput, fuzzParameters, hostileText, withinBudget } from "./support.ts";

// The inputs the training layer and the web app's new routes read from
// outside: badge readers' MQTT commands, the machine page's query string, the
// school's competence catalogue files, a roster CSV. Each must answer within
// budget, with its own kind of refusal, never an exception of another kind.

const JSON_PIECES = [
  '{"v":1',
  ',"action":"checkin"',
  ',"reader":"r1"',
  ',"token":"',
  '"',
  ",",
  "}",
  "[",
  "]",
  "\\u0000",
  "é",
  "1e999",
  "null",
  ":",
];

describe("fuzz: MQTT check-in commands", () => {
  it("every payload gets a command or an error reply, bounded, in budget", () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileText(JSON_PIECES, ["{", "[", '"'], 20_000), fc.string({ maxLength: 300 })),
        (text) => {
          const payload = Buffer.from(text, "utf8");
          const parsed = withinBudget("parseCheckinCommand", () => parseCheckinCommand(payload));
          if (!parsed.ok) {
            // The reason goes back on the reply topic: it must not echo a large payload.
            expectBoundedOutput("reply", 1, JSON.stringify(parsed.reply).length, 400);
          }
        },
      ),
      fuzzParameters(),
    );
  });
});

describe("fuzz: the machine page's events query", () => {
  it("any query string gets a query or named issues, in budget", () => {
    fc.assert(
      fc.property(
        hostileText(
          [
            "type=",
            "from=",
            "to=",
            "limit=",
            "&",
            "%",
            "cycle.end",
            "alarm",
            "2026-",
            "T",
            "Z",
            "-1",
            "9".repeat(20),
          ],
          ["&", "="],
          5000,
        ),
        (q) => {
          const result = withinBudget("parseEventsQuery", () =>
            parseEventsQuery(new URLSearchParams(q), 1_796_600_000_000),
          );
          if (!result.ok) expectBoundedOutput("issues", q.length + 1, result.issues.length, 1);
        },
      ),
      fuzzParameters(2),
    );
  });
});

describe("fuzz: competence catalogue files", () => {
  it("any text is a catalogue or a ConfigError (aliases included), in budget", () => {
    fc.assert(
      fc.property(
        hostileText(
          [
            "goals:",
            "\n",
            "  - ",
            "id: ",
            "x",
            "&a ",
            "*a",
            "[",
            "]",
            "{",
            "}",
            ": ",
            "'",
            '"',
            "rules:",
            "count: 5",
          ],
          ["\n", "[", "{", "*a"],
          200,
        ),
        (text) => {
          const outcome = withinBudget("parseCatalogueText", () =>
            attempt(() => parseCatalogueText(text, "fuzz.yaml"), [ConfigError]),
          );
          expect(outcome.ok || outcome.error instanceof ConfigError).toBe(true);
        },
      ),
      fuzzParameters(),
    );
  });
});

describe("fuzz: roster CSV", () => {
  it("any text is records or a CsvError, bounded, in budget", () => {
    fc.assert(
      fc.property(
        hostileText(["a", ",", ";", '"', "\n", "\r\n", "é", " "], ['"', "\n", ","], 20_000),
        (text) => {
          const outcome = withinBudget("parseCsv", () => attempt(() => parseCsv(text), [CsvError]));
          if (outcome.ok) {
            const fields = outcome.value.reduce((n, r) => n + r.fields.length, 0);
            expectBoundedOutput("fields", text.length + 1, fields, 1);
          }
        },
      ),
      fuzzParameters(),
    );
  });
});
