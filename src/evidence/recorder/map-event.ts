import type { MachineEvent } from "../../core/events.ts";
import type { JsonObject } from "../ledger/canonical.ts";
import type { EvidenceType } from "../ledger/record.ts";
import { programKey } from "./program-key.ts";

/** Who was checked in on a machine at an instant (answered by the training layer's session table). */
export type SessionAt = { sessionId: string; traineeId: string };

/**
 * What the mapping needs to know beyond the event. Functions, not the
 * training module: evidence does not depend on how sessions are stored.
 */
export type RecorderContext = {
  /** The session open on `machine` at `ts` (sessions are half-open: [start, end)). */
  resolveSession(machine: string, ts: number): SessionAt | undefined;
  machineKind(machine: string): string | undefined;
  /** Program keys (programKey) the session's trainee sent by DNC in that session so far. */
  programsSentIn(sessionId: string): ReadonlySet<string>;
};

/** A record before it is keyed and sealed: it still names the trainee and session in clear. */
export type EvidenceDraft = {
  type: EvidenceType;
  traineeId: string;
  machine: string | null;
  sessionId: string | null;
  ts: number;
  payload: JsonObject;
  /** Person who made the record (notes, status changes); undefined for machine evidence. */
  authorId?: string;
};

/**
 * Pure mapping from one pipeline event to the evidence it gives, if any.
 * Machine evidence belongs to whoever was checked in when the thing began:
 * a cycle to the trainee who started it, a transfer to the one who sent it,
 * an alarm to the one who was there when it was raised.
 */
export function draftFromEvent(event: MachineEvent, ctx: RecorderContext): EvidenceDraft | undefined {
  const kind = ctx.machineKind(event.machine) ?? "other";
  switch (event.type) {
    case "cycle.end": {
      // "interrupted" means the gateway lost sight of the machine: nothing the trainee did.
      if (event.outcome === "interrupted") return undefined;
      const s = ctx.resolveSession(event.machine, event.startedAt);
      if (!s) return undefined;
      const sent = event.program !== null && ctx.programsSentIn(s.sessionId).has(programKey(event.program));
      return {
        type: event.outcome === "completed" ? "cycle.completed" : "cycle.aborted",
        traineeId: s.traineeId,
        machine: event.machine,
        sessionId: s.sessionId,
        ts: event.ts,
        payload: {
          machineKind: kind,
          program: event.program,
          startedAt: event.startedAt,
          durationMs: event.durationMs,
          parts: event.partsMade,
          programSentByTrainee: sent,
        },
      };
    }
    case "program.transfer": {
      const startedAt = event.ts - event.durationMs;
      const s = ctx.resolveSession(event.machine, startedAt);
      if (!s) return undefined;
      return {
        type: "program.transfer",
        traineeId: s.traineeId,
        machine: event.machine,
        sessionId: s.sessionId,
        ts: event.ts,
        payload: {
          machineKind: kind,
          direction: event.direction,
          file: event.file,
          checksum: event.checksum,
          bytes: event.bytes,
          durationMs: event.durationMs,
          result: event.result,
          // The error text comes from the transport (no personal data); kept short for the report.
          error: event.error === undefined ? undefined : event.error.slice(0, 200),
        },
      };
    }
    case "alarm.clear": {
      const atRaise = ctx.resolveSession(event.machine, event.raisedAt);
      if (!atRaise) return undefined;
      const atClear = ctx.resolveSession(event.machine, event.ts);
      return {
        type: "alarm.handled",
        traineeId: atRaise.traineeId,
        machine: event.machine,
        sessionId: atRaise.sessionId,
        ts: event.ts,
        payload: {
          machineKind: kind,
          code: event.nativeCode,
          key: event.key,
          text: event.text.slice(0, 120),
          raisedAt: event.raisedAt,
          durationMs: event.durationMs,
          // Raised and cleared in the same check-in: the trainee was there throughout.
          withinSession: atClear?.sessionId === atRaise.sessionId,
        },
      };
    }
    case "session.end": {
      // The session is certainly open at its own start; at `ts` it has just closed.
      const startedAt = event.ts - event.durationMs;
      const s = ctx.resolveSession(event.machine, startedAt);
      if (!s) return undefined;
      return {
        type: "session.ended",
        traineeId: s.traineeId,
        machine: event.machine,
        sessionId: s.sessionId,
        ts: event.ts,
        payload: { machineKind: kind, startedAt, durationMs: event.durationMs },
      };
    }
    case "cycle.start":
    case "alarm.raise":
    case "state.change":
    case "session.start":
      return undefined;
  }
}
