import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MachineEvent } from "../../../src/core/events.ts";
import { EmbeddedTimeseries } from "../../../src/sinks/timeseries/embedded-timeseries.ts";
import { type Harness, trainingHarness } from "./harness.ts";

// "Who ran a cycle" on GET /api/machines/:id/events?type=cycle.end: the cycle's
// session pseudonym (kept by the real embedded store) resolved against the
// sessions in the real training store, per viewer: "you" for the trainee
// themself, a name for instructors and admins, nothing for other trainees or
// anonymous wall screens, and never the pseudonym itself.

const HOUR = 3_600_000;

describe("who ran a cycle (GET /api/machines/:id/events?type=cycle.end)", () => {
  let h: Harness;
  let history: EmbeddedTimeseries;
  let t0: number;

  beforeEach(async () => {
    history = new EmbeddedTimeseries({ path: ":memory:", retentionDays: 0, log: pino({ level: "silent" }) });
    await history.start();
    h = await trainingHarness({ history });
    const { elev1, elev2 } = h.people;
    t0 = Date.now() - HOUR / 2;
    // elev1 on lathe-1 for ten minutes (one cycle), then elev2 (one cycle), then nobody (one cycle).
    const in1 = await h.sessions.checkIn({
      machine: "lathe-1",
      userId: elev1.id,
      by: elev1.id,
      source: "api",
      at: t0,
    });
    expect(in1.ok).toBe(true);
    await h.sessions.checkOut({ machine: "lathe-1", by: elev1.id, at: t0 + 600_000 });
    const in2 = await h.sessions.checkIn({
      machine: "lathe-1",
      userId: elev2.id,
      by: elev2.id,
      source: "api",
      at: t0 + 600_000,
    });
    expect(in2.ok).toBe(true);
    await h.sessions.checkOut({ machine: "lathe-1", by: elev2.id, at: t0 + 1_200_000 });
    const cycle = (startedAt: number, program: string, session?: string): MachineEvent => ({
      type: "cycle.end",
      machine: "lathe-1",
      ts: startedAt + 60_000,
      program,
      startedAt,
      durationMs: 60_000,
      partsMade: 1,
      outcome: "completed",
      ...(session === undefined ? {} : { session }),
    });
    history.write({
      observations: [],
      events: [
        cycle(t0 + 60_000, "O1001", h.sessions.pseudonymOf(elev1.id)),
        cycle(t0 + 660_000, "O2002", h.sessions.pseudonymOf(elev2.id)),
        cycle(t0 + 1_300_000, "O3003"),
        // A pseudonym nobody in the training store held (another site's secret, an erased trainee).
        cycle(t0 + 1_400_000, "O4004", "p-unknown"),
      ],
      snapshots: [],
    });
    await history.flush();
  });
  afterEach(async () => {
    await h.close();
    await history.stop();
  });

  const cycles = async (who: string | undefined) => {
    const caller = who === undefined ? undefined : await h.login(who);
    const res = await h.call(caller, "GET", "/api/machines/lathe-1/events?type=cycle.end");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain(h.sessions.pseudonymOf(h.people.elev1.id));
    expect(res.body).not.toContain(h.sessions.pseudonymOf(h.people.elev2.id));
    expect(res.body).not.toContain("p-unknown");
    return (res.json().events as { program: string; who: unknown }[]).map((c) => [c.program, c.who]);
  };

  it("tells a trainee which cycles were theirs, and nothing about the others", async () => {
    expect(await cycles("elev1")).toEqual([
      ["O1001", { you: true, trainee: null }],
      ["O2002", { you: false, trainee: null }],
      ["O3003", null],
      ["O4004", null],
    ]);
  });

  it("gives an instructor and an admin the trainee's name", async () => {
    const expected = [
      ["O1001", { you: false, trainee: { id: h.people.elev1.id, name: "Ola Nordmann" } }],
      ["O2002", { you: false, trainee: { id: h.people.elev2.id, name: "Aisha Hansen" } }],
      ["O3003", null],
      ["O4004", null],
    ];
    expect(await cycles("kari")).toEqual(expected);
    expect(await cycles("admin")).toEqual(expected);
  });

  it("gives an anonymous wall screen no one at all", async () => {
    expect(await cycles(undefined)).toEqual([
      ["O1001", { you: false, trainee: null }],
      ["O2002", { you: false, trainee: null }],
      ["O3003", null],
      ["O4004", null],
    ]);
  });
});
