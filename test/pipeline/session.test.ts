import { describe, expect, it } from "vitest";
import type { MachineEvent } from "../../src/core/events.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { SessionTracker } from "../../src/pipeline/session.ts";
import { alarm, rd, T0 } from "./readings.ts";

describe("SessionTracker alone", () => {
  it("start, switch, end with durations; the same pseudonym again changes nothing", () => {
    const s = new SessionTracker("m");
    const out: MachineEvent[] = [];
    expect(s.set("p-a", 1000, out)).toBe(true);
    expect(s.set("p-a", 1500, out)).toBe(false);
    expect(s.set("p-b", 4000, out)).toBe(true);
    expect(s.set(null, 10_000, out)).toBe(true);
    expect(s.set(null, 11_000, out)).toBe(false);
    expect(s.current).toBeUndefined();
    expect(out).toEqual([
      { type: "session.start", machine: "m", ts: 1000, session: "p-a", pseudonym: "p-a" },
      { type: "session.end", machine: "m", ts: 4000, session: "p-a", pseudonym: "p-a", durationMs: 3000 },
      { type: "session.start", machine: "m", ts: 4000, session: "p-b", pseudonym: "p-b" },
      { type: "session.end", machine: "m", ts: 10_000, session: "p-b", pseudonym: "p-b", durationMs: 6000 },
    ]);
  });

  it("treats an empty pseudonym as nobody", () => {
    const s = new SessionTracker("m");
    expect(s.set("", 0, [])).toBe(false);
  });
});

describe("session tagging in the pipeline", () => {
  it("setSession returns the events and a snapshot with the session", () => {
    const p = new Pipeline({ machines: ["m"], now: () => 77 });
    const out = p.setSession("m", "p-a", T0);
    expect(out.observations).toEqual([]);
    expect(out.events.map((e) => e.type)).toEqual(["session.start"]);
    expect(out.snapshots).toEqual([expect.objectContaining({ machine: "m", session: "p-a", ts: 77 })]);
    const again = p.setSession("m", "p-a", T0 + 5);
    expect(again).toEqual({ observations: [], events: [], snapshots: [] });
  });

  it("tags every observation and event of that machine, and only that machine", () => {
    const p = new Pipeline({ machines: ["m", "n"] });
    p.setSession("m", "p-a", T0);
    const out = p.process([
      rd("m", "availability", "AVAILABLE", 0),
      rd("n", "availability", "AVAILABLE", 0),
      rd("m", "execution", "ACTIVE", 10),
      alarm("m", "warning", "system", "W1", 20),
    ]);
    expect(out.observations.map((o) => `${o.machine}:${o.session}`)).toEqual([
      "m:p-a",
      "n:undefined",
      "m:p-a",
      "m:p-a",
    ]);
    const mEvents = out.events.filter((e) => e.machine === "m");
    expect(mEvents.length).toBeGreaterThanOrEqual(3); // state.change ×2, cycle.start, alarm.raise
    for (const e of mEvents) expect(e.session).toBe("p-a");
    for (const e of out.events.filter((e) => e.machine === "n")) expect(e).not.toHaveProperty("session");
  });

  it("tags the null observations made when the machine goes offline", () => {
    const p = new Pipeline({ machines: ["m"] });
    p.process([rd("m", "availability", "AVAILABLE", 0), rd("m", "spindle.speed", 500, 0)]);
    p.setSession("m", "p-a", T0 + 1);
    const out = p.process([rd("m", "availability", "UNAVAILABLE", 10)]);
    expect(out.observations.map((o) => `${o.signal}=${o.value}:${o.session}`)).toEqual([
      "availability=UNAVAILABLE:p-a",
      "spindle.speed=null:p-a",
    ]);
  });

  it("stops tagging after check-out", () => {
    const p = new Pipeline({ machines: ["m"] });
    p.setSession("m", "p-a", T0);
    const end = p.setSession("m", null, T0 + 60_000);
    expect(end.events).toEqual([
      expect.objectContaining({ type: "session.end", pseudonym: "p-a", durationMs: 60_000 }),
    ]);
    expect(end.snapshots[0]?.session).toBeNull();
    const [o] = p.process([rd("m", "spindle.speed", 1, 0)]).observations;
    expect(o).not.toHaveProperty("session");
  });

  it("adds an unknown machine on setSession", () => {
    const p = new Pipeline({ machines: [] });
    p.setSession("lathe-9", "p-a", T0);
    expect(p.snapshots().map((s) => [s.machine, s.session])).toEqual([["lathe-9", "p-a"]]);
  });
});
