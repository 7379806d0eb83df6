import type { SessionService } from "./sessions.ts";

// What the gateway needs from the training layer, and nothing more: per
// machine, the pseudonym of the trainee there now, and a push when it
// changes. The gateway hands each update to the machine's pipeline
// SessionTracker: `tracker.set(u.pseudonym, u.ts, out)`, which emits the
// session.start / session.end events the sinks publish. No user id, name or
// session id crosses this boundary.

export type SessionFeedUpdate = {
  machine: string;
  /** The trainee now at the machine, or null when it became free. */
  pseudonym: string | null;
  /** When it happened (the session's start or end time), epoch ms. */
  ts: number;
};

export type SessionFeed = {
  currentPseudonym(machine: string): string | undefined;
  /** Every change, in order: an end (null) before the start that follows a takeover. Returns unsubscribe. */
  subscribe(listener: (update: SessionFeedUpdate) => void): () => void;
};

export function sessionFeedOf(sessions: SessionService): SessionFeed {
  return {
    currentPseudonym: (machine) => sessions.currentPseudonym(machine),
    subscribe: (listener) =>
      sessions.on((c) => {
        if (c.type === "session.start") {
          listener({ machine: c.session.machine, pseudonym: c.pseudonym, ts: c.session.startedAt });
        } else {
          listener({
            machine: c.session.machine,
            pseudonym: null,
            ts: c.session.endedAt ?? c.session.startedAt,
          });
        }
      }),
  };
}
