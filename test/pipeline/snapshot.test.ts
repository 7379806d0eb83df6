import { describe, expect, it } from "vitest";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { snapshotDue } from "../../src/pipeline/snapshot.ts";
import { alarm, rd, T0 } from "./readings.ts";

/** A pipeline on a clock the test moves by hand. */
function clocked(snapshotIntervalMs?: number) {
  const clock = { now: 10_000 };
  const options = snapshotIntervalMs === undefined ? {} : { snapshotIntervalMs };
  const p = new Pipeline({ machines: ["m", "n"], now: () => clock.now, ...options });
  return { p, clock };
}

describe("snapshot content", () => {
  it("has state, since, every current signal with ts and unit, alarms, session and the gateway ts", () => {
    const { p, clock } = clocked();
    p.setSession("m", "p-a", T0);
    p.process([
      rd("m", "availability", "AVAILABLE", 0),
      rd("m", "execution", "ACTIVE", 100),
      rd("m", "spindle.speed", 1200, 150, { unit: "rev/min" }),
      alarm("m", "warning", "system", "W1", 200, "Low lube"),
    ]);
    clock.now = 20_000;
    expect(p.snapshot("m")).toEqual({
      machine: "m",
      state: "running",
      since: T0 + 100,
      signals: {
        availability: { value: "AVAILABLE", ts: T0 },
        execution: { value: "ACTIVE", ts: T0 + 100 },
        "spindle.speed": { value: 1200, ts: T0 + 150, unit: "rev/min" },
      },
      alarms: [{ key: "system", nativeCode: "W1", severity: "warning", text: "Low lube", since: T0 + 200 }],
      session: "p-a",
      ts: 20_000,
    });
  });

  it("shows every other signal as null while availability is UNAVAILABLE", () => {
    const { p } = clocked();
    p.process([
      rd("m", "availability", "AVAILABLE", 0),
      rd("m", "execution", "ACTIVE", 0),
      rd("m", "spindle.speed", 900, 0, { unit: "rev/min" }),
    ]);
    const out = p.process([rd("m", "availability", "UNAVAILABLE", 500)]);
    expect(out.observations.map((o) => [o.signal, o.value, o.ts])).toEqual([
      ["availability", "UNAVAILABLE", T0 + 500],
      ["execution", null, T0 + 500],
      ["spindle.speed", null, T0 + 500],
    ]);
    expect(out.observations[2]?.unit).toBe("rev/min");
    expect(p.snapshot("m").signals).toEqual({
      availability: { value: "UNAVAILABLE", ts: T0 + 500 },
      execution: { value: null, ts: T0 + 500 },
      "spindle.speed": { value: null, ts: T0 + 500, unit: "rev/min" },
    });
  });

  it("an unknown machine reads as offline with nothing, without being added", () => {
    const { p } = clocked();
    expect(p.snapshot("ghost")).toMatchObject({
      machine: "ghost",
      state: "offline",
      signals: {},
      alarms: [],
      session: null,
    });
    expect(p.snapshots().map((s) => s.machine)).toEqual(["m", "n"]);
  });
});

describe("when snapshots are published", () => {
  it("process: only machines whose state, alarms or session changed", () => {
    const { p } = clocked();
    const first = p.process([rd("m", "availability", "AVAILABLE", 0), rd("n", "spindle.speed", 5, 0)]);
    // m: offline → idle; n: first data makes it idle too (data counts as online).
    expect(first.snapshots.map((s) => `${s.machine}:${s.state}`)).toEqual(["m:idle", "n:idle"]);
    // Signal changes alone do not publish from process.
    expect(p.process([rd("m", "spindle.speed", 100, 10), rd("n", "spindle.speed", 6, 10)]).snapshots).toEqual(
      [],
    );
    // One snapshot per machine per batch, however many changes.
    const busy = p.process([
      rd("m", "execution", "ACTIVE", 20),
      rd("m", "execution", "FEED_HOLD", 30),
      alarm("m", "warning", "s", "W", 40),
    ]);
    expect(busy.snapshots.map((s) => `${s.machine}:${s.state}:${s.alarms.length}`)).toEqual([
      "m:feed_hold:1",
    ]);
  });

  it("tick: machines with signal changes, at most once per interval each", () => {
    const { p, clock } = clocked(1000);
    p.process([rd("m", "availability", "AVAILABLE", 0), rd("n", "availability", "AVAILABLE", 0)]); // published at 10 000
    clock.now = 10_500;
    p.process([rd("m", "spindle.speed", 100, 10)]);
    expect(p.tick().snapshots).toEqual([]); // m's last snapshot was 500 ms ago
    clock.now = 11_000;
    const due = p.tick();
    expect(due.snapshots.map((s) => [s.machine, s.signals["spindle.speed"]?.value, s.ts])).toEqual([
      ["m", 100, 11_000],
    ]);
    expect(p.tick(11_500).snapshots).toEqual([]); // nothing changed since
    p.process([rd("m", "spindle.speed", 200, 20), rd("m", "spindle.speed", 300, 30)]);
    expect(p.tick(11_999).snapshots).toEqual([]); // changed, but within the interval
    expect(p.tick(12_000).snapshots.map((s) => s.signals["spindle.speed"]?.value)).toEqual([300]);
  });

  it("tick uses the injected clock when called without an argument", () => {
    const { p, clock } = clocked(250);
    p.process([rd("m", "spindle.load", 1, 0)]); // published at 10 000 (state change)
    p.process([rd("m", "spindle.load", 2, 10)]);
    clock.now = 10_249;
    expect(p.tick().snapshots).toEqual([]);
    clock.now = 10_250;
    expect(p.tick().snapshots).toHaveLength(1);
  });

  it("a state snapshot from process counts as the machine's latest snapshot", () => {
    const { p, clock } = clocked(1000);
    p.process([rd("m", "availability", "AVAILABLE", 0)]);
    clock.now = 15_000;
    p.process([rd("m", "spindle.speed", 1, 10), rd("m", "execution", "ACTIVE", 10)]); // state change → published
    clock.now = 15_100;
    expect(p.tick().snapshots).toEqual([]);
  });

  it("default interval is 1000 ms", () => {
    const { p } = clocked();
    p.process([rd("m", "availability", "AVAILABLE", 0)]);
    p.process([rd("m", "spindle.speed", 1, 10)]);
    expect(p.tick(10_999).snapshots).toEqual([]);
    expect(p.tick(11_000).snapshots).toHaveLength(1);
  });

  it("snapshotDue", () => {
    expect(snapshotDue(Number.NEGATIVE_INFINITY, 0, 1000)).toBe(true);
    expect(snapshotDue(0, 999, 1000)).toBe(false);
    expect(snapshotDue(0, 1000, 1000)).toBe(true);
  });
});
