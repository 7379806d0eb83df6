import { describe, expect, it } from "vitest";
import {
  DEMO_PSEUDONYM_SECRET,
  parseTrainingConfig,
  pseudonymSecretOf,
  TrainingConfigError,
} from "../../src/training/config.ts";

const SECRET = "0123456789abcdef-secret";

function problemsOf(raw: unknown): string[] {
  try {
    parseTrainingConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(TrainingConfigError);
    return (err as TrainingConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("expected the config to be rejected");
}

describe("training config", () => {
  it("fills defaults around a secret", () => {
    const cfg = parseTrainingConfig({ pseudonymSecret: SECRET });
    expect(cfg).toEqual({
      demo: false,
      path: "data/training.db",
      pseudonymSecret: SECRET,
      idleCheckoutMinutes: 30,
      endOfDay: "17:00",
      onOccupied: "refuse",
      checkinReaders: [],
    });
    expect(pseudonymSecretOf(cfg)).toBe(SECRET);
  });

  it("lets the demo run on the public demo secret", () => {
    const cfg = parseTrainingConfig({ demo: true });
    expect(pseudonymSecretOf(cfg)).toBe(DEMO_PSEUDONYM_SECRET);
  });

  it("requires a pseudonym secret outside the demo, naming the fix", () => {
    expect(problemsOf(undefined)).toEqual([
      expect.stringMatching(/^training\.pseudonymSecret: a pseudonym secret is required outside the demo/),
    ]);
    expect(problemsOf({ pseudonymSecret: "short" })).toEqual([
      expect.stringMatching(
        /^training\.pseudonymSecret: expected a pseudonym secret of at least 16 characters/,
      ),
    ]);
  });

  it("reports every bad field with its path", () => {
    const problems = problemsOf({
      pseudonymSecret: SECRET,
      postgres: { url: "mysql://x" },
      idleCheckoutMinutes: 1441,
      endOfDay: "25:00",
      onOccupied: "kick",
      checkinReaders: [
        { id: "door-1", token: "tooshort" },
        { id: "Door 2", token: SECRET, machines: ["lathe-1"] },
        { id: "door-1", token: SECRET, machines: [] },
      ],
      idleCheckoutMinute: 5,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^training\.postgres\.url: expected a PostgreSQL URL/),
        expect.stringMatching(/^training\.idleCheckoutMinutes: expected whole minutes 0–1440/),
        expect.stringMatching(/^training\.endOfDay: expected a time of day "HH:MM" \(24 h\)/),
        expect.stringMatching(/^training\.onOccupied: expected one of "refuse", "takeover"/),
        expect.stringMatching(
          /^training\.checkinReaders\[0\]\.token: expected a reader token of at least 16/,
        ),
        expect.stringMatching(/^training\.checkinReaders\[1\]\.id: expected a reader id/),
        expect.stringMatching(/^training\.checkinReaders\[2\]\.machines: expected at least one machine id/),
        expect.stringMatching(
          /^training\.idleCheckoutMinute: unknown key "idleCheckoutMinute"; did you mean "idleCheckoutMinutes"\?/,
        ),
      ]),
    );
  });

  it("rejects duplicate reader ids", () => {
    expect(
      problemsOf({
        pseudonymSecret: SECRET,
        checkinReaders: [
          { id: "door", token: SECRET },
          { id: "door", token: SECRET },
        ],
      }),
    ).toEqual([
      'training.checkinReaders[1].id: duplicate reader id "door" (also checkinReaders[0]); ids must be unique',
    ]);
  });

  it("accepts a full section", () => {
    const cfg = parseTrainingConfig({
      pseudonymSecret: SECRET,
      postgres: { url: "postgres://u:p@db:5432/maskinport" },
      idleCheckoutMinutes: 0,
      endOfDay: "off",
      onOccupied: "takeover",
      checkinReaders: [{ id: "hall-a", token: SECRET, machines: ["lathe-1", "mill-2"] }],
    });
    expect(cfg.postgres?.url).toBe("postgres://u:p@db:5432/maskinport");
    expect(cfg.checkinReaders[0]?.machines).toEqual(["lathe-1", "mill-2"]);
  });
});
