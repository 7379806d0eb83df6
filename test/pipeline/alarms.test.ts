import { describe, expect, it } from "vitest";
import type { MachineEvent } from "../../src/core/events.ts";
import { AlarmSet, CLEAR_REASON } from "../../src/pipeline/alarms.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { alarm, rd, T0 } from "./readings.ts";

/** Alarm events as short strings: "raise system/E1 fault", "clear system/E1 normal 500ms". */
function summary(events: readonly MachineEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.type === "alarm.raise") out.push(`raise ${e.key}/${e.nativeCode} ${e.severity}`);
    if (e.type === "alarm.clear") out.push(`clear ${e.key}/${e.nativeCode} ${e.text} ${e.durationMs}ms`);
  }
  return out;
}

function feed(...readings: ReturnType<typeof alarm>[]): { p: Pipeline; events: MachineEvent[] } {
  const p = new Pipeline({ machines: ["m"] });
  const events: MachineEvent[] = [];
  for (const r of readings) events.push(...p.process([r]).events);
  return { p, events };
}

// Table: [name, condition reports (at = ms), expected alarm events]
const CASES: [string, ReturnType<typeof alarm>[], string[]][] = [
  ["raise", [alarm("m", "fault", "system", "E1", 0)], ["raise system/E1 fault"]],
  [
    "duplicate raise is ignored",
    [alarm("m", "fault", "system", "E1", 0), alarm("m", "fault", "system", "E1", 100, "other text")],
    ["raise system/E1 fault"],
  ],
  [
    "two codes of one key are two alarms",
    [alarm("m", "warning", "system", "W1", 0), alarm("m", "fault", "system", "E1", 10)],
    ["raise system/W1 warning", "raise system/E1 fault"],
  ],
  [
    "same code, other severity: clear then raise",
    [alarm("m", "warning", "system", "E1", 0), alarm("m", "fault", "system", "E1", 300)],
    [
      "raise system/E1 warning",
      `clear system/E1 ${CLEAR_REASON.severityChanged} 300ms`,
      "raise system/E1 fault",
    ],
  ],
  [
    "normal with a code clears that code only",
    [
      alarm("m", "fault", "system", "E1", 0),
      alarm("m", "fault", "system", "E2", 10),
      alarm("m", "normal", "system", "E1", 500),
    ],
    ["raise system/E1 fault", "raise system/E2 fault", "clear system/E1 normal 500ms"],
  ],
  [
    'normal with "" clears every code of the key, not other keys',
    [
      alarm("m", "fault", "system", "E1", 0),
      alarm("m", "warning", "system", "W1", 100),
      alarm("m", "fault", "coolant", "C1", 200),
      alarm("m", "normal", "system", "", 1000),
    ],
    [
      "raise system/E1 fault",
      "raise system/W1 warning",
      "raise coolant/C1 fault",
      "clear system/E1 normal 1000ms",
      "clear system/W1 normal 900ms",
    ],
  ],
  [
    "unavailable clears every code of the key with text unavailable",
    [alarm("m", "fault", "system", "E1", 0), alarm("m", "unavailable", "system", "", 50)],
    ["raise system/E1 fault", "clear system/E1 unavailable 50ms"],
  ],
  ["normal for a code that is not active: nothing", [alarm("m", "normal", "system", "E9", 0)], []],
  [
    "raise after clear is a new alarm",
    [alarm("m", "fault", "x", "1", 0), alarm("m", "normal", "x", "1", 10), alarm("m", "fault", "x", "1", 20)],
    ["raise x/1 fault", "clear x/1 normal 10ms", "raise x/1 fault"],
  ],
];

describe("alarm lifecycle (table)", () => {
  it.each(CASES)("%s", (_name, reports, expected) => {
    expect(summary(feed(...reports).events)).toEqual(expected);
  });
});

describe("alarm events", () => {
  it("raise carries severity, native severity and text; clear carries raisedAt and duration", () => {
    const { events } = feed(
      alarm("m", "fault", "system", "1001", 0, "SERVO ALARM: X AXIS OVERLOAD", "2"),
      alarm("m", "normal", "system", "1001", 4500),
    );
    expect(events.filter((e) => e.type.startsWith("alarm."))).toEqual([
      {
        type: "alarm.raise",
        machine: "m",
        ts: T0,
        key: "system",
        nativeCode: "1001",
        severity: "fault",
        nativeSeverity: "2",
        text: "SERVO ALARM: X AXIS OVERLOAD",
      },
      {
        type: "alarm.clear",
        machine: "m",
        ts: T0 + 4500,
        key: "system",
        nativeCode: "1001",
        text: "normal",
        raisedAt: T0,
        durationMs: 4500,
      },
    ]);
  });

  it("going offline clears every alarm of the machine, text offline", () => {
    const p = new Pipeline({ machines: ["m"] });
    p.process([
      rd("m", "availability", "AVAILABLE", 0),
      alarm("m", "fault", "system", "E1", 0),
      alarm("m", "warning", "lube", "L1", 100),
    ]);
    const out = p.process([rd("m", "availability", "UNAVAILABLE", 2000)]);
    expect(summary(out.events)).toEqual(["clear system/E1 offline 2000ms", "clear lube/L1 offline 1900ms"]);
    expect(p.snapshot("m").alarms).toEqual([]);
  });

  it("the snapshot lists active alarms; a change publishes a snapshot", () => {
    const p = new Pipeline({ machines: ["m"] });
    p.process([rd("m", "availability", "AVAILABLE", 0)]);
    const out = p.process([alarm("m", "warning", "system", "W1", 10, "Low lube")]);
    expect(out.snapshots).toHaveLength(1);
    expect(out.snapshots[0]?.alarms).toEqual([
      { key: "system", nativeCode: "W1", severity: "warning", text: "Low lube", since: T0 + 10 },
    ]);
    // A repeated raise changes nothing: no snapshot.
    expect(p.process([alarm("m", "warning", "system", "W1", 20, "Low lube")]).snapshots).toEqual([]);
  });

  it("alarm readings flow on as observations with their detail", () => {
    const p = new Pipeline({ machines: ["m"] });
    const r = alarm("m", "fault", "system", "E1", 0, "boom");
    const [o] = p.process([r]).observations;
    expect(o).toMatchObject({ signal: "alarm", value: "fault", alarm: r.alarm, seq: 1 });
  });

  it("an alarm reading without detail flows on and changes nothing", () => {
    const p = new Pipeline({ machines: ["m"] });
    const out = p.process([rd("m", "alarm", "fault", 0)]);
    expect(out.observations).toHaveLength(1);
    expect(out.events.filter((e) => e.type.startsWith("alarm."))).toEqual([]);
  });
});

describe("AlarmSet alone", () => {
  it("counts active faults and fault raises", () => {
    const set = new AlarmSet("m");
    const out: MachineEvent[] = [];
    set.apply({ key: "s", level: "fault", nativeCode: "1", text: "" }, 0, undefined, out);
    set.apply({ key: "s", level: "warning", nativeCode: "2", text: "" }, 0, undefined, out);
    expect([set.activeFaults, set.faultRaises, set.size]).toEqual([1, 1, 2]);
    set.apply({ key: "s", level: "normal", nativeCode: "1", text: "" }, 5, undefined, out);
    set.apply({ key: "s", level: "fault", nativeCode: "2", text: "" }, 6, undefined, out);
    expect([set.activeFaults, set.faultRaises, set.size]).toEqual([1, 2, 1]);
    expect(set.clearAll(CLEAR_REASON.offline, 10, "p-1", out)).toBe(true);
    expect([set.activeFaults, set.size]).toEqual([0, 0]);
    expect(out.at(-1)).toMatchObject({
      type: "alarm.clear",
      nativeCode: "2",
      text: "offline",
      session: "p-1",
    });
    expect(set.clearAll(CLEAR_REASON.offline, 11, undefined, out)).toBe(false);
  });
});
