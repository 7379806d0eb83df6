import { describe, expect, it } from "vitest";
import type { MachineEvent } from "../../src/core/events.ts";
import { draftFromEvent, type RecorderContext } from "../../src/evidence/recorder/map-event.ts";
import { programKey } from "../../src/evidence/recorder/program-key.ts";
import { EvidenceRecorder } from "../../src/evidence/recorder/recorder.ts";

// Ada is checked in on lathe-1 from t=1000 to t=9000, then Bo from 9000.
const T0 = 1_800_000_000_000;
const sessions = [
  { machine: "lathe-1", from: T0 + 1000, to: T0 + 9000, sessionId: "S-ada", traineeId: "ada" },
  { machine: "lathe-1", from: T0 + 9000, to: Number.POSITIVE_INFINITY, sessionId: "S-bo", traineeId: "bo" },
];
const ctx: RecorderContext = {
  resolveSession: (machine, ts) => {
    const s = sessions.find((x) => x.machine === machine && ts >= x.from && ts < x.to);
    return s && { sessionId: s.sessionId, traineeId: s.traineeId };
  },
  machineKind: (m) => (m.startsWith("lathe") ? "lathe" : undefined),
  programsSentIn: (id) => new Set(id === "S-ada" ? ["1234"] : []),
};

const base = { machine: "lathe-1" };
const cycle = (over: Partial<Extract<MachineEvent, { type: "cycle.end" }>>): MachineEvent => ({
  ...base,
  type: "cycle.end",
  ts: T0 + 5000,
  program: "O1234",
  startedAt: T0 + 2000,
  durationMs: 3000,
  partsMade: 1,
  outcome: "completed",
  ...over,
});

const cases: { name: string; event: MachineEvent; expected: ReturnType<typeof draftFromEvent> }[] = [
  {
    name: "completed cycle of a program the trainee sent",
    event: cycle({}),
    expected: {
      type: "cycle.completed",
      traineeId: "ada",
      machine: "lathe-1",
      sessionId: "S-ada",
      ts: T0 + 5000,
      payload: {
        machineKind: "lathe",
        program: "O1234",
        startedAt: T0 + 2000,
        durationMs: 3000,
        parts: 1,
        programSentByTrainee: true,
      },
    },
  },
  {
    name: "aborted cycle of someone else's program",
    event: cycle({ outcome: "aborted", program: "O77", partsMade: 0 }),
    expected: {
      type: "cycle.aborted",
      traineeId: "ada",
      machine: "lathe-1",
      sessionId: "S-ada",
      ts: T0 + 5000,
      payload: {
        machineKind: "lathe",
        program: "O77",
        startedAt: T0 + 2000,
        durationMs: 3000,
        parts: 0,
        programSentByTrainee: false,
      },
    },
  },
  {
    name: "a cycle started by Ada and ending after Bo checked in is Ada's",
    event: cycle({ ts: T0 + 9500, startedAt: T0 + 8000, durationMs: 1500 }),
    expected: expect.objectContaining({ traineeId: "ada", sessionId: "S-ada" }),
  },
  {
    name: "an interrupted cycle is no evidence",
    event: cycle({ outcome: "interrupted" }),
    expected: undefined,
  },
  {
    name: "a cycle nobody was checked in for",
    event: cycle({ startedAt: T0 + 10, ts: T0 + 500 }),
    expected: undefined,
  },
  {
    name: "program transfer, resolved at its start",
    event: {
      ...base,
      type: "program.transfer",
      ts: T0 + 9100,
      direction: "send",
      file: "O1234.NC",
      checksum: "ab12",
      bytes: 4000,
      durationMs: 500,
      result: "failed",
      error: "buffer overrun",
    },
    expected: {
      type: "program.transfer",
      traineeId: "ada",
      machine: "lathe-1",
      sessionId: "S-ada",
      ts: T0 + 9100,
      payload: {
        machineKind: "lathe",
        direction: "send",
        file: "O1234.NC",
        checksum: "ab12",
        bytes: 4000,
        durationMs: 500,
        result: "failed",
        error: "buffer overrun",
      },
    },
  },
  {
    name: "alarm raised and cleared in the same session",
    event: {
      ...base,
      type: "alarm.clear",
      ts: T0 + 4000,
      key: "k",
      nativeCode: "EX1001",
      text: "DOOR OPEN",
      raisedAt: T0 + 3000,
      durationMs: 1000,
    },
    expected: {
      type: "alarm.handled",
      traineeId: "ada",
      machine: "lathe-1",
      sessionId: "S-ada",
      ts: T0 + 4000,
      payload: {
        machineKind: "lathe",
        code: "EX1001",
        key: "k",
        text: "DOOR OPEN",
        raisedAt: T0 + 3000,
        durationMs: 1000,
        withinSession: true,
      },
    },
  },
  {
    name: "alarm raised in Ada's session and cleared in Bo's belongs to Ada, not within one session",
    event: {
      ...base,
      type: "alarm.clear",
      ts: T0 + 9200,
      key: "k",
      nativeCode: "1",
      text: "X",
      raisedAt: T0 + 8000,
      durationMs: 1200,
    },
    expected: expect.objectContaining({
      traineeId: "ada",
      payload: expect.objectContaining({ withinSession: false }),
    }),
  },
  {
    name: "session end gives the time at a machine kind",
    event: { ...base, type: "session.end", ts: T0 + 9000, pseudonym: "p", session: "p", durationMs: 8000 },
    expected: {
      type: "session.ended",
      traineeId: "ada",
      machine: "lathe-1",
      sessionId: "S-ada",
      ts: T0 + 9000,
      payload: { machineKind: "lathe", startedAt: T0 + 1000, durationMs: 8000 },
    },
  },
  {
    name: "cycle start is no evidence",
    event: { ...base, type: "cycle.start", ts: T0 + 2000, program: "O1" },
    expected: undefined,
  },
  {
    name: "alarm raise waits for its clear",
    event: {
      ...base,
      type: "alarm.raise",
      ts: T0 + 2000,
      key: "k",
      nativeCode: "1",
      severity: "fault",
      text: "X",
    },
    expected: undefined,
  },
  {
    name: "state change is no evidence",
    event: { ...base, type: "state.change", ts: T0 + 2000, from: "idle", to: "running" },
    expected: undefined,
  },
];

describe("draftFromEvent", () => {
  it.each(cases)("$name", ({ event, expected }) => {
    expect(draftFromEvent(event, ctx)).toEqual(expected);
  });

  it("an unknown machine kind is recorded as other", () => {
    const d = draftFromEvent(
      { ...cycle({}), machine: "mill-9" },
      { ...ctx, resolveSession: () => ({ sessionId: "S", traineeId: "t" }) },
    );
    expect(d?.payload.machineKind).toBe("other");
  });
});

describe("programKey", () => {
  it.each([
    ["O0123", "123"],
    ["O0123.NC", "123"],
    ["0123", "123"],
    ["progs/part-a.nc", "PART-A"],
    ["C:\\dnc\\Flens.MPF", "FLENS"],
  ])("%s → %s", (name, key) => expect(programKey(name)).toBe(key));
});

describe("EvidenceRecorder", () => {
  it("marks cycles of a program sent earlier in the same session, and forgets the session when it ends", () => {
    const rec = new EvidenceRecorder({ resolveSession: ctx.resolveSession, machineKind: ctx.machineKind });
    const transfer: MachineEvent = {
      ...base,
      type: "program.transfer",
      ts: T0 + 1500,
      direction: "send",
      file: "O0042.NC",
      checksum: "c",
      bytes: 10,
      durationMs: 100,
      result: "ok",
    };
    expect(rec.handle(cycle({ program: "O42" }))?.payload.programSentByTrainee).toBe(false);
    rec.handle(transfer);
    expect(rec.handle(cycle({ program: "O42" }))?.payload.programSentByTrainee).toBe(true);
    expect(rec.openSessions).toBe(1);
    rec.handle({ ...base, type: "session.end", ts: T0 + 9000, pseudonym: "p", durationMs: 8000 });
    expect(rec.openSessions).toBe(0);
  });
});
