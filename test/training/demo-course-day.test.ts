import { afterEach, describe, expect, it } from "vitest";
import { type CourseDay, nextMove, startCourseDay } from "../../src/training/demo/course-day.ts";
import { seedDemo } from "../../src/training/demo-seed.ts";
import { SessionService } from "../../src/training/sessions/sessions.ts";
import { memoryStore, SECRET, T0 } from "./helpers.ts";

// The demo's scripted course day: everyone checks in at start-up, then one
// trainee moves or takes a break per step, through the real SessionService.

const MACHINES = ["lathe-1", "mill-1", "lathe-2", "mill-2", "okuma-replay", "lathe-3"];

describe("nextMove", () => {
  const trainees = ["a", "b", "c", "d"];

  it("moves a trainee to the next free machine after theirs", () => {
    const holders = new Map([
      ["lathe-1", "a"],
      ["mill-1", "b"],
      ["lathe-2", "c"],
    ]);
    expect(nextMove(0, trainees, MACHINES, holders)).toEqual({
      kind: "checkin",
      trainee: "a",
      machine: "mill-2",
    });
    expect(nextMove(1, trainees, MACHINES, holders)).toEqual({
      kind: "checkin",
      trainee: "b",
      machine: "mill-2",
    });
  });

  it("sends a trainee on a break every third turn, and brings them back after", () => {
    const holders = new Map([["lathe-1", "a"]]);
    expect(nextMove(8, trainees, MACHINES, holders)).toEqual({
      kind: "break",
      trainee: "a",
      machine: "lathe-1",
    });
    expect(nextMove(12, trainees, MACHINES, new Map())).toEqual({
      kind: "checkin",
      trainee: "a",
      machine: "lathe-1",
    });
  });

  it("does nothing when every machine is taken", () => {
    const full = new Map(MACHINES.slice(0, 2).map((m, i) => [m, trainees[i + 1]!]));
    expect(nextMove(0, trainees, MACHINES.slice(0, 2), full)).toEqual({ kind: "none", trainee: "a" });
  });
});

describe("startCourseDay", () => {
  let day: CourseDay | undefined;
  let sessions: SessionService | undefined;
  afterEach(() => {
    day?.stop();
    sessions?.close();
  });

  it("checks every demo trainee in at start-up and keeps one trainee per machine through a day of steps", async () => {
    const store = memoryStore();
    const seed = await seedDemo(store, () => T0);
    sessions = await SessionService.start({
      store,
      pseudonymSecret: SECRET,
      idleCheckoutMinutes: 30,
      endOfDay: "off",
      timeZone: "Europe/Oslo",
      onOccupied: "refuse",
    });
    const changes: string[] = [];
    sessions.on((c) => changes.push(`${c.type} ${c.session.machine}`));
    const trainees = seed.trainees.map((t) => t.id);
    const after: string[] = [];
    day = startCourseDay({
      sessions,
      trainees,
      machines: MACHINES,
      stepMs: 3_600_000,
      afterCheckIn: async (machine, trainee) => {
        after.push(`${machine} ${trainee}`);
        if (after.length === 1) throw new Error("a DNC line that fails must not stop the day");
      },
    });
    await day.step();

    // Step 0 moved the first trainee; everyone is at a machine of the list.
    const open = sessions.openSessions();
    expect(open.map((s) => s.userId).sort()).toEqual([...trainees].sort());
    expect(open.every((s) => s.source === "demo" && MACHINES.includes(s.machine))).toBe(true);
    expect(changes.filter((c) => c.startsWith("session.start"))).toHaveLength(5);
    // Every check-in was followed by the after-check-in step (the demo sends a program there).
    expect(after).toHaveLength(5);
    expect(after.slice(0, 4)).toEqual(trainees.map((t, i) => `${MACHINES[i]} ${t}`));

    for (let i = 1; i < 24; i++) await day.step();
    const all = await store.listSessions({});
    expect(all.length).toBeGreaterThan(15);
    const breaks = all.filter((s) => s.endReason === "checkout").length;
    expect(breaks).toBeGreaterThan(0);
    // Never two trainees on one machine, never one trainee on two.
    const now = sessions.openSessions();
    expect(new Set(now.map((s) => s.machine)).size).toBe(now.length);
    expect(new Set(now.map((s) => s.userId)).size).toBe(now.length);
    await store.close();
  });
});
