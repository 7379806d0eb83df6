import { describe, expect, it } from "vitest";
import type { MachineEvent } from "../../src/core/events.ts";
import {
  defaultPrefix,
  eventPayload,
  signalPayload,
  statePayload,
  statusPayload,
  Topics,
  topicLevel,
} from "../../src/sinks/mqtt/topics.ts";
import { obs, snapshot } from "./helpers/fixtures.ts";

describe("topic names", () => {
  const topics = new Topics(defaultPrefix("raufoss"));

  it("follow the contract under maskinport/<site>", () => {
    expect(topics.prefix).toBe("maskinport/raufoss");
    expect(topics.state("lathe-1")).toBe("maskinport/raufoss/lathe-1/state");
    expect(topics.event("lathe-1", "cycle.end")).toBe("maskinport/raufoss/lathe-1/event/cycle.end");
    expect(topics.gatewayStatus("gw-1")).toBe("maskinport/raufoss/gateway/gw-1/status");
  });

  it("keep a signal id with dots as one level", () => {
    expect(topics.signal("mill-2", "spindle.speed")).toBe("maskinport/raufoss/mill-2/signal/spindle.speed");
    expect(topics.signal("mill-2", "spindle.2.speed")).toBe(
      "maskinport/raufoss/mill-2/signal/spindle.2.speed",
    );
    // Cached: same answer the second time.
    expect(topics.signal("mill-2", "spindle.speed")).toBe("maskinport/raufoss/mill-2/signal/spindle.speed");
  });

  it("sanitise wildcards, level separators and NUL out of raw keys", () => {
    expect(topics.signal("mill-2", "raw.Xact/1")).toBe("maskinport/raufoss/mill-2/signal/raw.Xact_1");
    expect(topics.signal("mill-2", "raw.a+b#c\u0000d")).toBe("maskinport/raufoss/mill-2/signal/raw.a_b_c_d");
    expect(topicLevel("")).toBe("_");
    expect(topicLevel("päivä ok.1")).toBe("päivä ok.1");
  });

  it("accept custom multi-level prefixes and reject malformed ones", () => {
    expect(new Topics("site/raufoss/hall-b").state("m")).toBe("site/raufoss/hall-b/m/state");
    for (const bad of ["", "a/#", "a/+/b", "a/", "/a", "a\u0000b"]) {
      expect(() => new Topics(bad), bad).toThrow(/invalid MQTT topic prefix/);
    }
  });
});

describe("signal payload", () => {
  const cases = [
    ["a number with unit", obs("m", "spindle.speed", 1234.5, 7, 1000, { unit: "rev/min" })],
    ["a string that needs escaping", obs("m", "message", 'Door "open"\n\\ æøå ✓', 8)],
    ["a boolean", obs("m", "raw.flag", true, 9)],
    ["unavailable (null)", obs("m", "availability", null, 10, 1000, { quality: "bad" })],
    ["a session pseudonym", obs("m", "part.count", 3, 11, 1000, { session: "p-7f3a" })],
    [
      "an alarm detail",
      obs("m", "alarm", "fault", 12, 1000, {
        alarm: {
          key: "system",
          level: "fault",
          nativeCode: "1010",
          nativeSeverity: "2",
          text: 'Way lube "low"',
        },
      }),
    ],
  ] as const;

  it.each(cases)("is valid JSON with the documented keys: %s", (_name, o) => {
    const parsed = JSON.parse(signalPayload(o));
    const expected: Record<string, unknown> = {
      v: 1,
      value: o.value,
      ts: o.ts,
      rx: o.rx,
      seq: o.seq,
      quality: o.quality,
    };
    if (o.unit !== undefined) expected.unit = o.unit;
    if (o.session !== undefined) expected.session = o.session;
    if (o.alarm !== undefined) expected.alarm = o.alarm;
    if (o.signal.startsWith("raw.")) expected.signal = o.signal;
    expect(parsed).toEqual(expected);
  });

  it("starts with v and keeps a fixed key order", () => {
    const text = signalPayload(obs("m", "feed.rate", 200, 5, 1000, { unit: "mm/min", session: "p-1" }));
    expect(text).toBe(
      '{"v":1,"value":200,"unit":"mm/min","ts":1000,"rx":1001,"seq":5,"quality":"good","session":"p-1"}',
    );
  });

  it("writes null for NaN and Infinity (JSON has neither)", () => {
    expect(JSON.parse(signalPayload(obs("m", "spindle.load", Number.NaN, 1))).value).toBeNull();
    expect(JSON.parse(signalPayload(obs("m", "spindle.load", Number.POSITIVE_INFINITY, 1))).value).toBeNull();
  });

  it("names the exact raw key, whose topic level may be sanitised", () => {
    expect(JSON.parse(signalPayload(obs("m", "raw.a/b", 1, 1))).signal).toBe("raw.a/b");
    expect(JSON.parse(signalPayload(obs("m", "spindle.speed", 1, 1)))).not.toHaveProperty("signal");
  });
});

describe("state, event and status payloads", () => {
  it("state is the snapshot with v first", () => {
    const snap = snapshot("lathe-1", "running", 1000, 2000);
    const text = statePayload(snap);
    expect(text.startsWith('{"v":1,')).toBe(true);
    expect(JSON.parse(text)).toEqual({ v: 1, ...snap });
  });

  it("event is the event with v first", () => {
    const event: MachineEvent = {
      type: "alarm.raise",
      machine: "mill-2",
      ts: 5,
      key: "system",
      nativeCode: "1010",
      severity: "fault",
      text: "Way lube low",
    };
    const text = eventPayload(event);
    expect(text.startsWith('{"v":1,')).toBe(true);
    expect(JSON.parse(text)).toEqual({ v: 1, ...event });
  });

  it("status carries online/offline, time and version", () => {
    expect(JSON.parse(statusPayload("offline", 42, "0.1.0"))).toEqual({
      v: 1,
      status: "offline",
      ts: 42,
      version: "0.1.0",
    });
  });
});
