import type { SessionChange, SessionService } from "./sessions.ts";

// Who was at a machine at a given instant, answered synchronously: the
// evidence recorder asks it for every cycle, transfer and alarm, and must
// not wait on the database in the middle of the pipeline. Kept from the
// SessionService's own change events (which include other gateways' changes
// on a shared PostgreSQL), for a bounded look-back: a cycle or an alarm that
// began more than `keepMs` ago is older than anything the pipeline still
// reports on.

export type SessionSpan = {
  sessionId: string;
  userId: string;
  machine: string;
  startedAt: number;
  /** null while open. Half-open: [startedAt, endedAt). */
  endedAt: number | null;
};

export const DEFAULT_KEEP_MS = 24 * 3_600_000;

export class SessionHistory {
  readonly #byMachine = new Map<string, SessionSpan[]>();
  readonly #keepMs: number;
  readonly #unsubscribe: () => void;

  constructor(sessions: SessionService, keepMs = DEFAULT_KEEP_MS) {
    this.#keepMs = keepMs;
    for (const s of sessions.openSessions()) {
      this.#add({
        sessionId: s.sessionId,
        userId: s.userId,
        machine: s.machine,
        startedAt: s.since,
        endedAt: null,
      });
    }
    this.#unsubscribe = sessions.on((c) => this.#apply(c));
  }

  /** The session open on `machine` at `ts`, if any. */
  at(machine: string, ts: number): SessionSpan | undefined {
    const spans = this.#byMachine.get(machine) ?? [];
    for (let i = spans.length - 1; i >= 0; i--) {
      const s = spans[i]!;
      if (s.startedAt <= ts && (s.endedAt === null || ts < s.endedAt)) return s;
    }
    return undefined;
  }

  close(): void {
    this.#unsubscribe();
    this.#byMachine.clear();
  }

  #apply(c: SessionChange): void {
    const { session } = c;
    if (c.type === "session.start") {
      this.#add({
        sessionId: session.id,
        userId: session.userId,
        machine: session.machine,
        startedAt: session.startedAt,
        endedAt: null,
      });
      return;
    }
    const span = this.#byMachine.get(session.machine)?.find((s) => s.sessionId === session.id);
    if (span) span.endedAt = session.endedAt ?? span.endedAt ?? session.startedAt;
    else {
      this.#add({
        sessionId: session.id,
        userId: session.userId,
        machine: session.machine,
        startedAt: session.startedAt,
        endedAt: session.endedAt,
      });
    }
  }

  #add(span: SessionSpan): void {
    const spans = this.#byMachine.get(span.machine) ?? [];
    spans.push(span);
    spans.sort((a, b) => a.startedAt - b.startedAt);
    // Forget what ended long before the newest start: bounded memory however long the gateway runs.
    const horizon = span.startedAt - this.#keepMs;
    this.#byMachine.set(
      span.machine,
      spans.filter((s) => s.endedAt === null || s.endedAt >= horizon),
    );
  }
}
