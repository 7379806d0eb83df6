import { describe, expect, it } from "vitest";
import type { CycleEndEvent, MachineEvent } from "../../src/core/events.ts";
import type { Reading } from "../../src/core/observation.ts";
import { CycleTracker } from "../../src/pipeline/cycles.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { alarm, line, rd, T0 } from "./readings.ts";

/** Cycle events as short strings: "start O1", "end O1 completed parts=1 ms=5000". */
function summary(events: readonly MachineEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.type === "cycle.start") out.push(`start ${e.program}`);
    if (e.type === "cycle.end")
      out.push(`end ${e.program} ${e.outcome} parts=${e.partsMade} ms=${e.durationMs}`);
  }
  return out;
}

/** Feed steps (each step = one batch) through a pipeline, return the cycle summary. */
function run(steps: Reading[][], cycleEndGraceMs = 0): string[] {
  const p = new Pipeline({ machines: ["m"], cycleEndGraceMs });
  const events: MachineEvent[] = [];
  for (const step of steps) events.push(...p.process(step).events);
  return summary(events);
}

const ON = rd("m", "availability", "AVAILABLE", 0);
/** Machine online, READY with program O1 and part counter 0 at t=0. */
const START: Reading[] = [
  ON,
  ...line("m", 0, ["program.name", "O1"], ["part.count", 0], ["execution", "READY"], ["mode", "AUTOMATIC"]),
];
const exec = (value: string | null, at: number) => [rd("m", "execution", value, at)];
const parts = (n: number, at: number) => [rd("m", "part.count", n, at)];
const program = (name: string, at: number) => [rd("m", "program.name", name, at)];
const offline = (at: number) => [rd("m", "availability", "UNAVAILABLE", at)];
const online = (at: number) => [rd("m", "availability", "AVAILABLE", at)];

// Table: [name, steps after START, expected cycle events]
const CASES: [string, Reading[][], string[]][] = [
  [
    "completed: PROGRAM_COMPLETED with the part counted in the same line",
    [exec("ACTIVE", 1000), line("m", 6000, ["execution", "PROGRAM_COMPLETED"], ["part.count", 1])],
    ["start O1", "end O1 completed parts=1 ms=5000"],
  ],
  [
    "completed: READY straight after ACTIVE",
    [exec("ACTIVE", 1000), exec("READY", 4000)],
    ["start O1", "end O1 completed parts=0 ms=3000"],
  ],
  [
    "aborted by STOPPED",
    [exec("ACTIVE", 1000), exec("STOPPED", 2000)],
    ["start O1", "end O1 aborted parts=0 ms=1000"],
  ],
  [
    "STOPPED after the part counter went up counts as completed",
    [exec("ACTIVE", 1000), parts(1, 1500), exec("STOPPED", 2000)],
    ["start O1", "end O1 completed parts=1 ms=1000"],
  ],
  [
    "aborted by a fault alarm",
    [
      exec("ACTIVE", 1000),
      [alarm("m", "fault", "system", "1001", 2500, "Servo overload")],
      exec("STOPPED", 2600),
    ],
    ["start O1", "end O1 aborted parts=0 ms=1500"],
  ],
  [
    "a warning does not end the cycle",
    [exec("ACTIVE", 1000), [alarm("m", "warning", "system", "2001", 2500)], exec("PROGRAM_COMPLETED", 3000)],
    ["start O1", "end O1 completed parts=0 ms=2000"],
  ],
  [
    "aborted by emergency stop",
    [exec("ACTIVE", 1000), [rd("m", "emergency_stop", "TRIGGERED", 1200)], exec("STOPPED", 1300)],
    ["start O1", "end O1 aborted parts=0 ms=200"],
  ],
  [
    "interrupted by going offline",
    [exec("ACTIVE", 1000), offline(9000)],
    ["start O1", "end O1 interrupted parts=0 ms=8000"],
  ],
  [
    "interrupted when execution becomes unavailable",
    [exec("ACTIVE", 1000), exec(null, 3000)],
    ["start O1", "end O1 interrupted parts=0 ms=2000"],
  ],
  [
    "reconnect showing the same program still ACTIVE starts a new cycle (the first was closed)",
    [
      exec("ACTIVE", 1000),
      offline(2000),
      [...online(3000), ...line("m", 3000, ["program.name", "O1"], ["execution", "ACTIVE"])],
      exec("PROGRAM_COMPLETED", 5000),
    ],
    ["start O1", "end O1 interrupted parts=0 ms=1000", "start O1", "end O1 completed parts=0 ms=2000"],
  ],
  [
    "an adapter re-sending the same ACTIVE without going offline starts nothing",
    [
      exec("ACTIVE", 1000),
      [
        ...online(2000),
        ...line("m", 2000, ["program.name", "O1"], ["execution", "ACTIVE"], ["part.count", 0]),
      ],
      exec("PROGRAM_COMPLETED", 3000),
    ],
    ["start O1", "end O1 completed parts=0 ms=2000"],
  ],
  [
    "feed hold and resume is one cycle",
    [exec("ACTIVE", 1000), exec("FEED_HOLD", 2000), exec("ACTIVE", 3000), exec("PROGRAM_COMPLETED", 4000)],
    ["start O1", "end O1 completed parts=0 ms=3000"],
  ],
  [
    "every pause resumes the same cycle (INTERRUPTED, OPTIONAL_STOP, PROGRAM_STOPPED = M00, WAIT)",
    [
      exec("ACTIVE", 1000),
      exec("INTERRUPTED", 1100),
      exec("ACTIVE", 1200),
      exec("OPTIONAL_STOP", 1300),
      exec("ACTIVE", 1400),
      exec("PROGRAM_STOPPED", 1500),
      exec("ACTIVE", 1600),
      exec("WAIT", 1700),
      exec("ACTIVE", 1800),
      exec("PROGRAM_COMPLETED", 1900),
    ],
    ["start O1", "end O1 completed parts=0 ms=900"],
  ],
  [
    "reset during a feed hold (READY after a pause) is aborted",
    [exec("ACTIVE", 1000), exec("FEED_HOLD", 2000), exec("READY", 3000)],
    ["start O1", "end O1 aborted parts=0 ms=2000"],
  ],
  [
    "program change while ACTIVE: aborted, and the new program starts at once",
    [exec("ACTIVE", 1000), program("O2", 2000), exec("PROGRAM_COMPLETED", 5000)],
    ["start O1", "end O1 aborted parts=0 ms=1000", "start O2", "end O2 completed parts=0 ms=3000"],
  ],
  [
    "program change while paused: aborted, the next ACTIVE starts the new one",
    [exec("ACTIVE", 1000), exec("FEED_HOLD", 1500), program("O2", 2000), exec("ACTIVE", 2500)],
    ["start O1", "end O1 aborted parts=0 ms=1000", "start O2"],
  ],
  [
    "ACTIVE and a new program name in one line is one new cycle, whatever the key order",
    [line("m", 1000, ["execution", "ACTIVE"], ["program.name", "O2"]), exec("READY", 2000)],
    ["start O2", "end O2 completed parts=0 ms=1000"],
  ],
  [
    "a program name that arrives after the start names the cycle",
    [
      [rd("m", "program.name", null, 500)],
      exec("ACTIVE", 1000),
      program("O7", 1100),
      exec("PROGRAM_COMPLETED", 2000),
    ],
    ["start null", "end O7 completed parts=0 ms=1000"],
  ],
  [
    "part counter reset mid-cycle: only increases count",
    [
      parts(5, 500),
      exec("ACTIVE", 1000),
      parts(6, 1100),
      parts(0, 1200),
      parts(1, 1300),
      exec("PROGRAM_COMPLETED", 1400),
    ],
    ["start O1", "end O1 completed parts=2 ms=400"],
  ],
  [
    "a count-down counter never gives negative parts",
    [parts(10, 500), exec("ACTIVE", 1000), parts(9, 1100), exec("STOPPED", 1400)],
    ["start O1", "end O1 aborted parts=0 ms=400"],
  ],
  [
    "parts made while offline are not credited to the cycle after reconnect",
    [
      exec("ACTIVE", 1000),
      offline(2000),
      [...online(3000), ...exec("ACTIVE", 3000)],
      parts(1, 3100), // counter re-sent after the ACTIVE: a part finished during the blip
      exec("PROGRAM_COMPLETED", 4000),
    ],
    // The program name was forgotten offline too and not re-sent: null.
    ["start O1", "end O1 interrupted parts=0 ms=1000", "start null", "end null completed parts=0 ms=1000"],
  ],
  [
    "part count increase without a cycle is ignored",
    [parts(1, 500), exec("ACTIVE", 1000), exec("PROGRAM_COMPLETED", 1400)],
    ["start O1", "end O1 completed parts=0 ms=400"],
  ],
  [
    "STOPPED after a completed program, then ACTIVE: a new cycle",
    [exec("ACTIVE", 1000), exec("PROGRAM_COMPLETED", 2000), exec("STOPPED", 2100), exec("ACTIVE", 3000)],
    ["start O1", "end O1 completed parts=0 ms=1000", "start O1"],
  ],
];

describe("cycle detection (table)", () => {
  it.each(CASES)("%s", (_name, steps, expected) => {
    expect(run([START, ...steps])).toEqual(expected);
  });

  it("ACTIVE as the very first reading (gateway started mid-program) starts a cycle", () => {
    expect(run([exec("ACTIVE", 0), exec("READY", 100)])).toEqual([
      "start null",
      "end null completed parts=0 ms=100",
    ]);
  });

  it("cycle events carry machine, ts, startedAt and the session", () => {
    const p = new Pipeline({ machines: ["m"], cycleEndGraceMs: 0 });
    p.process(START);
    p.setSession("m", "trainee-7f3a", T0 + 500);
    const events = [
      ...p.process(exec("ACTIVE", 1000)).events,
      ...p.process(exec("PROGRAM_COMPLETED", 2000)).events,
    ];
    const cycle = events.filter((e) => e.type.startsWith("cycle."));
    expect(cycle).toEqual([
      { type: "cycle.start", machine: "m", ts: T0 + 1000, program: "O1", session: "trainee-7f3a" },
      {
        type: "cycle.end",
        machine: "m",
        ts: T0 + 2000,
        program: "O1",
        startedAt: T0 + 1000,
        durationMs: 1000,
        partsMade: 0,
        outcome: "completed",
        session: "trainee-7f3a",
      },
    ]);
  });
});

describe("cycle.end waits for a lagging part counter (cycleEndGraceMs)", () => {
  it("credits a part counted shortly after PROGRAM_COMPLETED (as the Okuma log does)", () => {
    const p = new Pipeline({ machines: ["m"], cycleEndGraceMs: 2000 });
    p.process(START);
    p.process(exec("ACTIVE", 1000));
    const atEnd = p.process(exec("PROGRAM_COMPLETED", 6000));
    expect(summary(atEnd.events)).toEqual([]);
    const lagging = p.process([...exec("READY", 6250), ...parts(1, 6330)]);
    expect(summary(lagging.events)).toEqual([]);
    // Any reading at end + grace (source time) releases it.
    const later = p.process([rd("m", "spindle.load", 3, 8000)]);
    expect(summary(later.events)).toEqual(["end O1 completed parts=1 ms=5000"]);
    expect(later.events[0]).toMatchObject({ ts: T0 + 6000 });
  });

  it("is released by tick() once the gateway clock passes receive time + grace", () => {
    const p = new Pipeline({ machines: ["m"], cycleEndGraceMs: 2000, now: () => 0 });
    p.process(START);
    p.process(exec("ACTIVE", 1000));
    p.process([rd("m", "execution", "PROGRAM_COMPLETED", 6000, { rx: 50_000 })]);
    expect(summary(p.tick(51_999).events)).toEqual([]);
    expect(summary(p.tick(52_000).events)).toEqual(["end O1 completed parts=0 ms=5000"]);
    expect(summary(p.tick(60_000).events)).toEqual([]);
  });

  it("tick(Infinity) drains held ends and leaves snapshot throttling intact", () => {
    const clock = { now: 100 };
    const p = new Pipeline({ machines: ["m"], cycleEndGraceMs: 2000, now: () => clock.now });
    p.process(START);
    p.process(exec("ACTIVE", 1000));
    p.process(exec("READY", 2000));
    p.process([rd("m", "spindle.speed", 1, 2100)]); // a signal-only change, due for a tick snapshot
    const drained = p.tick(Number.POSITIVE_INFINITY);
    expect(summary(drained.events)).toEqual(["end O1 completed parts=0 ms=1000"]);
    expect(drained.snapshots.map((s) => s.ts)).toEqual([100]);
    p.process([rd("m", "spindle.speed", 5, 3000)]);
    clock.now = 1100;
    expect(p.tick().snapshots).toHaveLength(1);
  });

  it("is released before the next cycle starts", () => {
    const p = new Pipeline({ machines: ["m"], cycleEndGraceMs: 60_000 });
    p.process(START);
    p.process(exec("ACTIVE", 1000));
    p.process(exec("READY", 2000));
    expect(summary(p.process(exec("ACTIVE", 2500)).events)).toEqual([
      "end O1 completed parts=0 ms=1000",
      "start O1",
    ]);
  });

  it("turns a STOPPED end into completed when the counter goes up within the grace", () => {
    const p = new Pipeline({ machines: ["m"], cycleEndGraceMs: 2000 });
    p.process(START);
    p.process(exec("ACTIVE", 1000));
    p.process(exec("STOPPED", 3000));
    p.process(parts(1, 3100));
    expect(summary(p.process(exec("READY", 5000)).events)).toEqual(["end O1 completed parts=1 ms=2000"]);
  });

  it("does not hold an interrupted end (nothing more will come from an offline machine)", () => {
    const p = new Pipeline({ machines: ["m"], cycleEndGraceMs: 2000 });
    p.process(START);
    p.process(exec("ACTIVE", 1000));
    expect(summary(p.process(offline(1500)).events)).toEqual(["end O1 interrupted parts=0 ms=500"]);
  });

  it("keeps the session of the moment the cycle ended", () => {
    const p = new Pipeline({ machines: ["m"], cycleEndGraceMs: 2000 });
    p.process(START);
    p.setSession("m", "trainee-1", T0);
    p.process(exec("ACTIVE", 1000));
    p.process(exec("PROGRAM_COMPLETED", 2000));
    p.setSession("m", null, T0 + 2100);
    const end = p.process([rd("m", "spindle.load", 3, 9000)]).events.find((e) => e.type === "cycle.end");
    expect(end?.session).toBe("trainee-1");
  });
});

describe("CycleTracker alone", () => {
  const inputs = (execution: string | null, partCount = 0) => ({
    online: true,
    execution,
    program: "P",
    partCount,
    emergencyStop: "ARMED",
    faultRaises: 0,
  });

  it("starts on ACTIVE and ends on PROGRAM_COMPLETED, emitting at once with grace 0", () => {
    const t = new CycleTracker("m", 0);
    const out: MachineEvent[] = [];
    t.update(inputs("READY"), 0, 0, undefined, out);
    t.update(inputs("ACTIVE"), 10, 10, undefined, out);
    expect(t.isOpen).toBe(true);
    t.update(inputs("PROGRAM_COMPLETED", 1), 30, 30, undefined, out);
    expect(t.isOpen).toBe(false);
    expect(summary(out)).toEqual(["start P", "end P completed parts=1 ms=20"]);
  });

  it("holds the end with a grace and reports when it is due", () => {
    const t = new CycleTracker("m", 100);
    const out: MachineEvent[] = [];
    t.update(inputs("ACTIVE"), 0, 1000, undefined, out);
    t.update(inputs("READY"), 50, 1050, undefined, out);
    expect(t.hasPending).toBe(true);
    expect(t.pendingDue(149, 1149)).toBe(false);
    expect(t.pendingDue(150, 0)).toBe(true); // by source time
    expect(t.pendingDue(0, 1150)).toBe(true); // by receive time
    expect(t.pendingDueAt(1149)).toBe(false);
    expect(t.pendingDueAt(1150)).toBe(true);
    t.release(out);
    expect(t.hasPending).toBe(false);
    expect((out.at(-1) as CycleEndEvent).outcome).toBe("completed");
  });

  it("ends aborted when the fault-raise counter grows", () => {
    const t = new CycleTracker("m", 0);
    const out: MachineEvent[] = [];
    t.update(inputs("ACTIVE"), 0, 0, undefined, out);
    t.update({ ...inputs("ACTIVE"), faultRaises: 1 }, 5, 5, undefined, out);
    expect(summary(out)).toEqual(["start P", "end P aborted parts=0 ms=5"]);
    // Still ACTIVE after the fault: no new cycle until execution changes.
    t.update({ ...inputs("ACTIVE"), faultRaises: 1 }, 6, 6, undefined, out);
    expect(summary(out)).toHaveLength(2);
  });
});
