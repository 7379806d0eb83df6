import { expect, vi } from "vitest";
import type { MachineEvent } from "../../../src/core/events.ts";
import { wireEvidence } from "../../../src/gateway/evidence-wiring.ts";
import { SessionHistory } from "../../../src/training/sessions/session-history.ts";
import type { FakeFleet } from "./fake-fleet.ts";
import type { TrainingWorld } from "./training-world.ts";

// Ola's recorded morning, shared by the browser tests that need a trainee
// with evidence: a proposed F to confirm and an F awaiting sign-off.

const DAY = 86_400_000;

/**
 * Ola's morning on the lathe, the way the gateway records it: checked in on
 * the real session service, then the machine's events (a program sent by DNC,
 * five completed cycles of it) through the real recorder into the evidence
 * service. That earns P on both goals and proposes F; Ola then confirms F
 * on the lathe goal (as he would on his progress page), so it awaits K.
 */
export async function recordOlasDays(world: TrainingWorld, fleet: FakeFleet): Promise<void> {
  const evidence = world.evidence!;
  const ola = world.people.elev1.id;
  const start = fleet.now - 5 * 3_600_000;
  const checkIn = await world.sessions.checkIn({
    machine: "lathe-1",
    userId: ola,
    by: ola,
    source: "api",
    at: start,
  });
  expect(checkIn.ok).toBe(true);
  const history = new SessionHistory(world.sessions);
  const wired = wireEvidence({
    evidence,
    history,
    machineKind: (m) => fleet.machines.find((x) => x.id === m)?.kind,
    onUpdate: (listener) => fleet.deps().onUpdate(listener),
    log: fleet.deps().log,
  });
  const session = world.sessions.pseudonymOf(ola);
  const events: MachineEvent[] = [
    {
      type: "program.transfer",
      machine: "lathe-1",
      ts: start + 600_000,
      direction: "send",
      file: "O1001.NC",
      checksum: "sha256:abc",
      bytes: 1200,
      durationMs: 4000,
      result: "ok",
      session,
    },
    ...[1, 2, 3, 4, 5].map(
      (i): MachineEvent => ({
        type: "cycle.end",
        machine: "lathe-1",
        ts: start + i * 1_200_000 + 240_000,
        program: "O1001",
        startedAt: start + i * 1_200_000,
        durationMs: 240_000,
        partsMade: 1,
        outcome: "completed",
        session,
      }),
    ),
  ];
  fleet.push({ events });
  await vi.waitFor(
    async () => {
      const marks = await evidence.marksOf(ola);
      expect(marks.get("run-lathe")?.proposedAt).toBeDefined();
      expect(marks.get("send-dnc")?.proposedAt).toBeDefined();
    },
    { timeout: 5000 },
  );
  await wired.stop();
  history.close();
  const confirmed = await evidence.changeMark({
    traineeId: ola,
    goal: "run-lathe",
    to: "F",
    actor: { personId: ola, role: "trainee", teachesTrainee: false },
    ts: fleet.now - DAY / 24,
  });
  expect(confirmed.ok).toBe(true);
}
