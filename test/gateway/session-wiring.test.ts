import { afterEach, describe, expect, it } from "vitest";
import type { PipelineOutput } from "../../src/core/contracts.ts";
import { machineActivity, wireSessions } from "../../src/gateway/session-wiring.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { SessionService } from "../../src/training/sessions/sessions.ts";
import { rd } from "../pipeline/readings.ts";
import { addUser, memoryStore, SECRET } from "../training/helpers.ts";

// Check-in sessions reach the real pipeline (pseudonym on every observation
// and event, session.start/end published) and machine activity keeps a
// session from the idle check-out.

const T0 = Date.UTC(2026, 0, 12, 8, 0, 0); // the readings' clock (test/pipeline/readings.ts)

/** A gateway stand-in: the real pipeline, and every output it publishes. */
function target(pipeline: Pipeline) {
  const published: PipelineOutput[] = [];
  const listeners = new Set<(out: PipelineOutput) => void>();
  const publish = (out: PipelineOutput) => {
    published.push(out);
    for (const l of listeners) l(out);
  };
  return {
    published,
    publish,
    applySession: (machine: string, pseudonym: string | null, ts: number) =>
      publish(pipeline.setSession(machine, pseudonym, ts)),
    onUpdate: (l: (out: PipelineOutput) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

let sessions: SessionService | undefined;
afterEach(() => sessions?.close());

async function setup(idleCheckoutMinutes = 0) {
  const store = memoryStore();
  const trainee = await addUser(store, { username: "ola" });
  let now = T0;
  sessions = await SessionService.start({
    store,
    pseudonymSecret: SECRET,
    idleCheckoutMinutes,
    endOfDay: "off",
    timeZone: "Europe/Oslo",
    onOccupied: "refuse",
    clock: () => now,
  });
  // Snapshots carry the pipeline's clock: the same clock as the sessions'.
  const pipeline = new Pipeline({ machines: ["lathe-1", "mill-1"], now: () => now });
  return { store, trainee, pipeline, sessions, setNow: (t: number) => (now = t) };
}

describe("wireSessions", () => {
  it("tags the machine's observations and events with the pseudonym between check-in and check-out", async () => {
    const { trainee, pipeline, sessions } = await setup();
    const gw = target(pipeline);
    const unwire = wireSessions(sessions, gw, ["lathe-1", "mill-1"]);
    const pseudonym = sessions.pseudonymOf(trainee.id);

    await sessions.checkIn({ machine: "lathe-1", userId: trainee.id, by: trainee.id, source: "api", at: T0 });
    gw.publish(
      pipeline.process([
        rd("lathe-1", "execution", "ACTIVE", 1000),
        rd("mill-1", "execution", "ACTIVE", 1000),
      ]),
    );
    await sessions.checkOut({ machine: "lathe-1", by: trainee.id, at: T0 + 5000 });
    gw.publish(pipeline.process([rd("lathe-1", "execution", "READY", 6000)]));

    const events = gw.published.flatMap((o) => o.events).filter((e) => e.type.startsWith("session."));
    expect(events).toEqual([
      expect.objectContaining({ type: "session.start", machine: "lathe-1", ts: T0, pseudonym }),
      expect.objectContaining({
        type: "session.end",
        machine: "lathe-1",
        ts: T0 + 5000,
        pseudonym,
        durationMs: 5000,
      }),
    ]);
    const observations = gw.published.flatMap((o) => o.observations);
    const lathe = observations.filter((o) => o.machine === "lathe-1");
    expect(lathe.find((o) => o.value === "ACTIVE")?.session).toBe(pseudonym);
    expect(lathe.find((o) => o.value === "READY")?.session).toBeUndefined();
    expect(observations.find((o) => o.machine === "mill-1")?.session).toBeUndefined();
    unwire();
  });

  it("leaves machines of other gateways alone (a shared PostgreSQL announces theirs too)", async () => {
    const { trainee, pipeline, sessions } = await setup();
    const gw = target(pipeline);
    wireSessions(sessions, gw, ["lathe-1"]);
    await sessions.checkIn({ machine: "press-9", userId: trainee.id, by: trainee.id, source: "api", at: T0 });
    expect(gw.published).toEqual([]);
    expect(pipeline.snapshots().map((s) => s.machine)).not.toContain("press-9");
  });

  it("applies sessions that were open before the gateway started", async () => {
    const { trainee, pipeline, sessions } = await setup();
    await sessions.checkIn({ machine: "mill-1", userId: trainee.id, by: trainee.id, source: "api", at: T0 });
    const gw = target(pipeline);
    wireSessions(sessions, gw, ["lathe-1", "mill-1"]);
    expect(pipeline.snapshot("mill-1").session).toBe(sessions.pseudonymOf(trainee.id));
  });

  it("postpones the idle check-out while the machine works, not while it only reports", async () => {
    const { trainee, pipeline, sessions, store, setNow } = await setup(30);
    const gw = target(pipeline);
    wireSessions(sessions, gw, ["lathe-1", "mill-1"]);
    await sessions.checkIn({ machine: "lathe-1", userId: trainee.id, by: trainee.id, source: "api", at: T0 });
    const minutes = (m: number) => m * 60_000;
    const at = (m: number, signal: "execution" | "availability", value: string) => {
      setNow(T0 + minutes(m));
      gw.publish(pipeline.process([rd("lathe-1", signal, value, minutes(m))]));
    };
    at(20, "execution", "ACTIVE");
    at(25, "execution", "READY");
    at(40, "availability", "AVAILABLE");
    // The cycle ran 20–25 min (its end is activity too); availability at 40 min is only reporting.
    expect(await sessions.tick(T0 + minutes(54))).toEqual([]);
    const [ended] = await sessions.tick(T0 + minutes(56));
    expect(ended).toMatchObject({ endReason: "idle", endedAt: T0 + minutes(55) });
    expect((await store.listSessions({}))[0]?.endReason).toBe("idle");
  });
});

describe("machineActivity", () => {
  it("counts a running program, cycles, alarms and transfers; not mere reporting or a session's own events", () => {
    const p = new Pipeline({ machines: ["m"], now: () => T0 + 100 });
    expect(machineActivity(p.process([rd("m", "execution", "ACTIVE", 100)]))).toEqual([
      { machine: "m", ts: T0 + 100 },
    ]);
    expect(machineActivity(p.process([rd("m", "availability", "AVAILABLE", 200)]))).toEqual([]);
    const session = p.setSession("m", "t-x", T0 + 400);
    expect(session.events.map((e) => e.type)).toEqual(["session.start"]);
    expect(machineActivity({ ...session, snapshots: [] })).toEqual([]);

    const events: PipelineOutput = {
      observations: [],
      snapshots: [],
      events: [
        { type: "cycle.start", machine: "a", ts: 10, program: "O1" },
        { type: "alarm.clear", machine: "b", ts: 20, key: "system", nativeCode: "1", reason: "cleared" },
        { type: "state.change", machine: "c", ts: 30, from: "idle", to: "setup" },
        {
          type: "alarm.raise",
          machine: "b",
          ts: 15,
          key: "system",
          nativeCode: "1",
          severity: "fault",
          text: "",
        },
      ],
    } as PipelineOutput;
    expect(machineActivity(events)).toEqual([
      { machine: "a", ts: 10 },
      { machine: "b", ts: 20 },
    ]);
  });
});
