import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findDevice, parseDevicesXml } from "../../../src/adapters/mtconnect-common/devices.ts";
import { CPPAGENT_FIXTURES } from "../../support/fixtures.ts";
import { readGolden } from "../../support/golden.ts";
import { OKUMA_GOLDEN } from "./goldens.ts";
import { type OkumaSummary, replayOkuma } from "./replay.ts";

// Golden test: okuma.txt → SHDR stream → pipeline (how and why in replay.ts
// and README.md). The summary must equal expected.json; when a change is
// intended, run `npm run goldens:update` and review the diff. The counts below are
// asserted directly as well, from the fixture README's own analysis.

const summary = replayOkuma();

describe("golden: okuma.txt through the SHDR adapter and the pipeline", () => {
  it("matches expected.json", () => {
    expect(summary).toEqual(JSON.parse(readGolden(OKUMA_GOLDEN.file)) as OkumaSummary);
  });

  it("reads every line of the log without an error", () => {
    expect(summary.input).toMatchObject({
      lines: 10_770,
      sessions: 4,
      assetCommands: 152,
      protocolLines: 9,
      errors: 0,
      problems: [],
    });
    expect(summary.readings.fromLines).toBe(25_507);
  });

  it("10 condition keys × 4 records = 40 condition readings, all NORMAL, so no alarm is raised", () => {
    expect(summary.readings.alarmLevels.normal).toBe(40);
    // Each of the 4 connection losses clears the 10 condition keys.
    expect(summary.readings.alarmLevels.unavailable).toBe(40);
    expect(summary.alarms).toEqual([]);
  });

  it("sees the 4 programs and a part count up to 3", () => {
    expect([...summary.programs].sort()).toEqual([
      "IMTS-2022-1E-mm.MIN",
      "IMTS-2022-2-HOB.MIN",
      "IMTS-2022-3-TRAN.MIN",
      "IMTS-2022-4B-mm.MIN",
    ]);
    expect(summary.partCountMax).toBe(3);
  });

  it("finds one completed cycle per session, each making one part", () => {
    expect(summary.cycles.map((c) => [c.program, c.outcome, c.partsMade])).toEqual([
      ["IMTS-2022-2-HOB.MIN", "completed", 1],
      ["IMTS-2022-1E-mm.MIN", "completed", 1],
      ["IMTS-2022-4B-mm.MIN", "completed", 1],
      ["IMTS-2022-3-TRAN.MIN", "completed", 1],
    ]);
    expect(summary.cycles.every((c) => c.durationMs > 0)).toBe(true);
  });

  it("goes offline → idle → running → idle → offline in each session", () => {
    const perSession = ["offline→idle", "idle→running", "running→idle", "idle→offline"];
    expect(summary.stateChanges.map((s) => `${s.from}→${s.to}`)).toEqual([
      ...perSession,
      ...perSession,
      ...perSession,
      ...perSession,
    ]);
  });

  it("the one key not in Devices.xml flows as raw, and so does every unmapped DataItem", () => {
    const okuma = findDevice(
      parseDevicesXml(readFileSync(`${CPPAGENT_FIXTURES}/Devices.xml`, "utf8")),
      "OKUMA",
    );
    const names = new Set(okuma?.dataItems.map((i) => i.name));
    const notInModel = summary.readings.raw.map((s) => s.slice(4)).filter((k) => !names.has(k));
    expect(notInModel).toEqual(["ApplicationInstallDate"]);
    expect(summary.readings.bySignal["raw.ApplicationInstallDate"]).toBe(4 + 4); // 4 updates + 4 nulls on loss
    expect(summary.readings.rawKeys).toBe(53);
  });

  it("maps the catalogue signals the Okuma has, spindles by their own numbers", () => {
    const by = summary.readings.bySignal;
    // From the log (fixture README counts) plus one null per connection loss.
    expect(by["spindle.speed"]).toBe(251 + 4);
    expect(by["spindle.2.speed"]).toBe(180 + 4);
    expect(by["spindle.6.speed"]).toBe(70 + 4);
    expect(by["spindle.load"]).toBe(158 + 4);
    expect(by["axis.z.position"]).toBe(2947 + 4);
    expect(by["feed.rate"]).toBe(2503 + 4);
    expect(by["program.line"]).toBe(413 + 4);
    expect(by.execution).toBe(16 + 4);
    expect(by.availability).toBe(4 + 4);
  });
});
