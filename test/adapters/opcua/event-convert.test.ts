import { describe, expect, it } from "vitest";
import type { KnownType } from "../../../src/adapters/opcua/companion-types.ts";
import {
  alarmsMissingAfterRefresh,
  classifyEvent,
  EVENT_FIELDS,
  type EventContext,
  type EventFields,
  eventFieldsFromArray,
} from "../../../src/adapters/opcua/event-convert.ts";

const TYPES: Record<string, KnownType | "RefreshStart" | "RefreshEnd"> = {
  "ns=0;i=2787": "RefreshStart",
  "ns=0;i=2788": "RefreshEnd",
  "ns=8;i=1006": "CncAlarmType",
  "ns=7;i=39": "AlertType",
  "ns=7;i=35": "NotificationEventType",
};
const MINE = new Set(["ns=1;i=5000", "ns=1;i=5001"]);
const ctx: EventContext = {
  typeOf: (id) => TYPES[id],
  faultSeverity: 500,
  acceptsSource: (source) => source === "" || MINE.has(source),
};
const time = new Date("2026-11-25T10:00:00Z");

function fields(over: Partial<EventFields>): EventFields {
  return { ...eventFieldsFromArray([]), time, ...over };
}

describe("opcua events → readings", () => {
  it("keeps the select-clause order stable (the server answers by position)", () => {
    expect(EVENT_FIELDS.map((f) => f.key)).toEqual([
      "eventType",
      "sourceName",
      "sourceNode",
      "time",
      "message",
      "severity",
      "conditionId",
      "conditionName",
      "branchId",
      "retain",
      "active",
      "enabled",
      "alarmIdentifier",
      "errorCode",
      "identifier",
    ]);
    const f = eventFieldsFromArray(["ns=8;i=1006", "CncInterface", "ns=1;i=5000", time]);
    expect(f).toMatchObject({ eventType: "ns=8;i=1006", sourceName: "CncInterface", time, message: null });
  });

  it("an active CNC alarm is a fault or a warning by severity, coded by AlarmIdentifier", () => {
    const base = {
      eventType: "ns=8;i=1006",
      conditionId: "ns=1;i=4000",
      conditionName: "Alarm_2001",
      alarmIdentifier: "2001",
      message: { text: "SPINDLE OVERLOAD" },
      active: true,
      enabled: true,
      retain: true,
    };
    expect(classifyEvent(fields({ ...base, severity: 800 }), ctx)).toEqual({
      kind: "alarm",
      ts: time.getTime(),
      detail: {
        key: "cnc",
        level: "fault",
        nativeCode: "2001",
        nativeSeverity: "800",
        text: "SPINDLE OVERLOAD",
      },
    });
    expect(classifyEvent(fields({ ...base, severity: 300 }), ctx)).toMatchObject({
      detail: { level: "warning" },
    });
    expect(classifyEvent(fields({ ...base, severity: 800, active: false }), ctx)).toMatchObject({
      detail: { level: "normal", nativeCode: "2001" },
    });
    // A disabled condition is not an active alarm.
    expect(classifyEvent(fields({ ...base, severity: 800, enabled: false }), ctx)).toMatchObject({
      detail: { level: "normal" },
    });
  });

  it("40501 AlertType uses ErrorCode and the 'machine' key; other conditions use ConditionName and 'system'", () => {
    expect(
      classifyEvent(
        fields({
          eventType: "ns=7;i=39",
          conditionId: "ns=2;s=A",
          errorCode: "E-17",
          severity: 900,
          active: true,
        }),
        ctx,
      ),
    ).toMatchObject({ detail: { key: "machine", nativeCode: "E-17", level: "fault", text: "" } });
    expect(
      classifyEvent(
        fields({
          eventType: "i=9341",
          conditionId: "ns=2;s=B",
          conditionName: "HighTemp",
          severity: 100,
          active: true,
        }),
        ctx,
      ),
    ).toMatchObject({ detail: { key: "system", nativeCode: "HighTemp", level: "warning" } });
  });

  it("branch events (historic states) are ignored; the current branch (null id) is not", () => {
    const alarm = {
      eventType: "ns=8;i=1006",
      conditionId: "ns=1;i=4000",
      alarmIdentifier: "1",
      active: true,
    };
    expect(classifyEvent(fields({ ...alarm, branchId: "ns=1;g=1234" }), ctx)).toEqual({ kind: "ignore" });
    expect(classifyEvent(fields({ ...alarm, branchId: "ns=0;i=0" }), ctx).kind).toBe("alarm");
  });

  it("plain events with a message become messages; refresh markers are recognised", () => {
    expect(classifyEvent(fields({ eventType: "ns=7;i=35", message: { text: "Insert part" } }), ctx)).toEqual({
      kind: "message",
      text: "Insert part",
      ts: time.getTime(),
    });
    expect(classifyEvent(fields({ eventType: "ns=0;i=2787", conditionId: "ns=0;i=0" }), ctx)).toEqual({
      kind: "refreshStart",
    });
    expect(classifyEvent(fields({ eventType: "ns=0;i=2788" }), ctx)).toEqual({ kind: "refreshEnd" });
    expect(classifyEvent(fields({ eventType: "i=2041" }), ctx)).toEqual({ kind: "ignore" });
  });

  it("ignores events of other machines, but never the refresh bracket (it comes from the Server object)", () => {
    const alarm = {
      eventType: "ns=8;i=1006",
      conditionId: "ns=1;i=4000",
      alarmIdentifier: "1",
      active: true,
    };
    expect(classifyEvent(fields({ ...alarm, sourceNode: "ns=1;i=5001" }), ctx).kind).toBe("alarm");
    expect(classifyEvent(fields({ ...alarm, sourceNode: "ns=1;i=9999" }), ctx).kind).toBe("ignore");
    expect(classifyEvent(fields({ eventType: "ns=0;i=2788", sourceNode: "i=2253" }), ctx).kind).toBe(
      "refreshEnd",
    );
  });

  it("finds the alarms a refresh did not report again (they cleared while we were away)", () => {
    const before = new Map([
      ["cnc", new Set(["2001", "EX1010"])],
      ["machine", new Set(["E-1"])],
    ]);
    const refreshed = new Map([["cnc", new Set(["EX1010"])]]);
    expect(alarmsMissingAfterRefresh(before, refreshed)).toEqual([
      { key: "cnc", nativeCode: "2001" },
      { key: "machine", nativeCode: "E-1" },
    ]);
  });
});
