// A scripted course day on two machines, shared by the rules, report and
// xAPI tests: Ada on the lathe all day, Bo on the mill in the morning.
import type { MachineEvent } from "../../src/core/events.ts";
import { loadCatalogueFolder } from "../../src/evidence/catalogue/load.ts";
import { SqliteLedgerStore } from "../../src/evidence/ledger/sqlite-store.ts";
import type { SessionAt } from "../../src/evidence/recorder/map-event.ts";
import { EvidenceRecorder } from "../../src/evidence/recorder/recorder.ts";
import { EvidenceService } from "../../src/evidence/service.ts";

export const catalogue = loadCatalogueFolder(new URL("../../config/competence", import.meta.url).pathname);

export const DAY = Date.UTC(2027, 0, 11); // Monday 11 January 2027, 00:00 UTC
export const at = (h: number, m = 0) => DAY + (h * 60 + m) * 60_000;

export const sessions = [
  { machine: "lathe-1", from: at(7), to: at(13, 30), sessionId: "S1", traineeId: "ada" },
  { machine: "mill-1", from: at(7), to: at(10), sessionId: "S2", traineeId: "bo" },
];

export function resolveSession(machine: string, ts: number): SessionAt | undefined {
  const s = sessions.find((x) => x.machine === machine && ts >= x.from && ts < x.to);
  return s && { sessionId: s.sessionId, traineeId: s.traineeId };
}
export const machineKind = (m: string) =>
  m.startsWith("lathe") ? "lathe" : m.startsWith("mill") ? "mill" : undefined;

function cycle(
  machine: string,
  start: number,
  program: string,
  outcome: "completed" | "aborted" = "completed",
): MachineEvent {
  return {
    type: "cycle.end",
    machine,
    ts: start + 240_000,
    program,
    startedAt: start,
    durationMs: 240_000,
    partsMade: outcome === "completed" ? 1 : 0,
    outcome,
  };
}

export function courseDayEvents(): MachineEvent[] {
  const e: MachineEvent[] = [
    { type: "session.start", machine: "lathe-1", ts: at(7), pseudonym: "pa", session: "pa" },
    { type: "session.start", machine: "mill-1", ts: at(7), pseudonym: "pb", session: "pb" },
    {
      type: "program.transfer",
      machine: "lathe-1",
      ts: at(7, 31),
      direction: "send",
      file: "O1234.NC",
      checksum: "9f2c",
      bytes: 5120,
      durationMs: 60_000,
      result: "ok",
    },
    {
      type: "program.transfer",
      machine: "mill-1",
      ts: at(7, 40),
      direction: "send",
      file: "O2000.NC",
      checksum: "11aa",
      bytes: 2048,
      durationMs: 30_000,
      result: "failed",
      error: "no answer from the machine",
    },
    cycle("lathe-1", at(8), "O1234", "aborted"),
  ];
  for (let i = 0; i < 5; i++) e.push(cycle("lathe-1", at(8, 10 + i * 10), "O1234"));
  // Bo runs the instructor's program O3000, not one he sent.
  for (let i = 0; i < 5; i++) e.push(cycle("mill-1", at(8, i * 10), "O3000"));
  e.push(
    {
      type: "alarm.raise",
      machine: "lathe-1",
      ts: at(10),
      key: "a1",
      nativeCode: "EX1001",
      severity: "fault",
      text: "DOOR OPEN",
    },
    {
      type: "alarm.clear",
      machine: "lathe-1",
      ts: at(10, 3),
      key: "a1",
      nativeCode: "EX1001",
      text: "DOOR OPEN",
      raisedAt: at(10),
      durationMs: 180_000,
    },
    {
      type: "alarm.raise",
      machine: "mill-1",
      ts: at(9),
      key: "b1",
      nativeCode: "2001",
      severity: "fault",
      text: "LUBE LOW",
    },
    {
      type: "alarm.clear",
      machine: "mill-1",
      ts: at(9, 8),
      key: "b1",
      nativeCode: "2001",
      text: "LUBE LOW",
      raisedAt: at(9),
      durationMs: 480_000,
    },
    {
      type: "session.end",
      machine: "mill-1",
      ts: at(10),
      pseudonym: "pb",
      session: "pb",
      durationMs: 3 * 3_600_000,
    },
    {
      type: "session.end",
      machine: "lathe-1",
      ts: at(13, 30),
      pseudonym: "pa",
      session: "pa",
      durationMs: 6.5 * 3_600_000,
    },
  );
  return e.sort((a, b) => a.ts - b.ts);
}

/** The day recorded into a fresh in-memory ledger through the real recorder and service. */
export async function runCourseDay() {
  const store = new SqliteLedgerStore(":memory:");
  const service = new EvidenceService({ store, catalogue });
  const recorder = new EvidenceRecorder({ resolveSession, machineKind });
  for (const event of courseDayEvents()) {
    const draft = recorder.handle(event);
    if (draft) await service.record([draft]);
  }
  return { store, service };
}
