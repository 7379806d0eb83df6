import type { MachineEvent } from "../core/events.ts";

/**
 * Tag an event with the trainee pseudonym current at the moment it happened.
 * Used by every transform that creates events, so a cycle that ends after a
 * check-out still belongs to the trainee who ran it.
 */
export function stamp<E extends MachineEvent>(event: E, session: string | undefined): E {
  if (session !== undefined) event.session = session;
  return event;
}

/**
 * Session tagging: who (by pseudonym, never by name) is at one machine now.
 * The pipeline copies `current` onto every observation and event of the
 * machine. `set` emits session.end for the previous pseudonym (with its
 * duration) and session.start for the new one; setting the same pseudonym
 * again changes nothing. An empty string counts as "nobody".
 */
export class SessionTracker {
  readonly #machine: string;
  #pseudonym: string | undefined = undefined;
  #since = 0;

  constructor(machine: string) {
    this.#machine = machine;
  }

  get current(): string | undefined {
    return this.#pseudonym;
  }

  /** @returns true when the session changed (events were pushed to `out`). */
  set(pseudonym: string | null, ts: number, out: MachineEvent[]): boolean {
    const next = pseudonym === null || pseudonym === "" ? undefined : pseudonym;
    const prev = this.#pseudonym;
    if (next === prev) return false;
    if (prev !== undefined) {
      out.push({
        type: "session.end",
        machine: this.#machine,
        ts,
        session: prev,
        pseudonym: prev,
        durationMs: Math.max(0, ts - this.#since),
      });
    }
    this.#pseudonym = next;
    this.#since = ts;
    if (next !== undefined) {
      out.push({ type: "session.start", machine: this.#machine, ts, session: next, pseudonym: next });
    }
    return true;
  }
}
