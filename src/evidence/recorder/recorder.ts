import type { MachineEvent } from "../../core/events.ts";
import { draftFromEvent, type EvidenceDraft, type RecorderContext } from "./map-event.ts";
import { programKey } from "./program-key.ts";

/**
 * The little state the pure mapping needs across events: which programs each
 * open session's trainee has sent by DNC, so that a later cycle can say
 * "ran a program the trainee sent". Forgotten when the session ends.
 */
export class EvidenceRecorder {
  readonly #resolveSession: RecorderContext["resolveSession"];
  readonly #machineKind: RecorderContext["machineKind"];
  readonly #sent = new Map<string, Set<string>>();
  readonly #ctx: RecorderContext;

  constructor(options: Pick<RecorderContext, "resolveSession" | "machineKind">) {
    this.#resolveSession = options.resolveSession;
    this.#machineKind = options.machineKind;
    this.#ctx = {
      resolveSession: (m, ts) => this.#resolveSession(m, ts),
      machineKind: (m) => this.#machineKind(m),
      programsSentIn: (id) => this.#sent.get(id) ?? EMPTY,
    };
  }

  /** The evidence one pipeline event gives (undefined for most events, and for machines nobody is at). */
  handle(event: MachineEvent): EvidenceDraft | undefined {
    const draft = draftFromEvent(event, this.#ctx);
    if (draft?.type === "program.transfer" && draft.sessionId !== null) {
      const p = draft.payload;
      if (p.direction === "send" && p.result === "ok" && typeof p.file === "string") {
        const set = this.#sent.get(draft.sessionId) ?? new Set<string>();
        set.add(programKey(p.file));
        this.#sent.set(draft.sessionId, set);
      }
    }
    if (draft?.type === "session.ended" && draft.sessionId !== null) this.#sent.delete(draft.sessionId);
    return draft;
  }

  /** Sessions with remembered transfers (for tests and metrics: it must not grow without bound). */
  get openSessions(): number {
    return this.#sent.size;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
