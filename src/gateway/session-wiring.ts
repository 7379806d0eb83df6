import type { PipelineOutput } from "../core/contracts.ts";
import { sessionFeedOf } from "../training/sessions/session-feed.ts";
import type { SessionService } from "../training/sessions/sessions.ts";

/** The two things the session wiring needs from the running gateway. */
export type SessionTarget = {
  /** Set who is at a machine in its pipeline and publish the session.start / session.end that follow. */
  applySession(machine: string, pseudonym: string | null, ts: number): void;
  onUpdate(listener: (out: PipelineOutput) => void): () => void;
};

/**
 * Connect check-in sessions to the pipeline, both ways: every session change
 * reaches the machine's pipeline (so each observation and event of the
 * machine carries the trainee's pseudonym, and session.start / session.end
 * are published), and machine activity postpones the idle check-out.
 * Sessions open before the gateway started are applied at once. Only
 * `machines` (this gateway's) are touched. Returns the disconnect function.
 */
export function wireSessions(
  sessions: SessionService,
  target: SessionTarget,
  machines: readonly string[],
): () => void {
  // On a shared PostgreSQL the feed also carries other gateways' machines: those are not ours to publish.
  const ours = new Set(machines);
  const feed = sessionFeedOf(sessions);
  const unsubscribeFeed = feed.subscribe((u) => {
    if (ours.has(u.machine)) target.applySession(u.machine, u.pseudonym, u.ts);
  });
  for (const s of sessions.openSessions()) {
    if (ours.has(s.machine)) target.applySession(s.machine, s.pseudonym, s.since);
  }
  const unsubscribeActivity = target.onUpdate((out) => {
    for (const { machine, ts } of machineActivity(out)) sessions.noteActivity(machine, ts);
  });
  return () => {
    unsubscribeFeed();
    unsubscribeActivity();
  };
}

/** Events that mean someone is working the machine (a session's own start and end do not). */
const ACTIVE_EVENTS = new Set(["cycle.start", "cycle.end", "alarm.raise", "alarm.clear", "program.transfer"]);

/**
 * What in one pipeline output counts as a trainee working the machine: the
 * program running (execution ACTIVE, a snapshot in state running), cycles,
 * alarms raised or cleared, a program sent. Not just any observation: an idle machine keeps reporting
 * (availability, temperatures), and a trainee who walked off should still be
 * checked out after the idle time.
 */
export function machineActivity(out: PipelineOutput): { machine: string; ts: number }[] {
  const latest = new Map<string, number>();
  const note = (machine: string, ts: number) => {
    if ((latest.get(machine) ?? Number.NEGATIVE_INFINITY) < ts) latest.set(machine, ts);
  };
  for (const o of out.observations)
    if (o.signal === "execution" && o.value === "ACTIVE") note(o.machine, o.ts);
  for (const e of out.events) if (ACTIVE_EVENTS.has(e.type)) note(e.machine, e.ts);
  // A long cycle changes no execution value for a while; its snapshots (spindle, feed) keep coming.
  for (const s of out.snapshots) if (s.state === "running") note(s.machine, s.ts);
  return [...latest].map(([machine, ts]) => ({ machine, ts }));
}
