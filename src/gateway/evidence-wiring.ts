import type { Logger } from "pino";
import type { PipelineOutput } from "../core/contracts.ts";
import type { EvidenceDraft } from "../evidence/recorder/map-event.ts";
import { PendingDrafts } from "../evidence/recorder/pending-drafts.ts";
import { EvidenceRecorder } from "../evidence/recorder/recorder.ts";
import type { EvidenceService } from "../evidence/service.ts";
import type { SessionHistory } from "../training/sessions/session-history.ts";

export type WiredEvidence = {
  /** The drafts on their way to the ledger (held while it is unreachable): metrics and health read it. */
  pending: PendingDrafts;
  /** Stop taking pipeline events, then one last attempt (≤ `waitMs`) to record what is held. */
  stop(waitMs?: number): Promise<void>;
};

/**
 * Pipeline events → evidence: each cycle, transfer, handled alarm and ended
 * session of a checked-in trainee becomes a draft (EvidenceRecorder, pure
 * mapping) and is sealed into the ledger by the EvidenceService, which also
 * writes the P / F-proposed marks it earns. Recording is asynchronous: the
 * pipeline never waits for the ledger. While the ledger cannot be reached
 * (the site's PostgreSQL restarting, the network down) drafts are held in
 * memory and recorded in order when it is back (PendingDrafts).
 */
export function wireEvidence(options: {
  evidence: EvidenceService;
  history: SessionHistory;
  machineKind: (machine: string) => string | undefined;
  onUpdate: (listener: (out: PipelineOutput) => void) => () => void;
  /** After records were sealed (the LRS feed pushes at once instead of at its next poll). */
  onRecorded?: () => void;
  log: Logger;
  /** Tests: a smaller limit or a faster backoff. */
  pending?: Partial<Pick<ConstructorParameters<typeof PendingDrafts>[0], "maxPending" | "backoff">>;
}): WiredEvidence {
  const { evidence, history, log } = options;
  const recorder = new EvidenceRecorder({
    resolveSession: (machine, ts) => {
      const s = history.at(machine, ts);
      return s && { sessionId: s.sessionId, traineeId: s.userId };
    },
    machineKind: options.machineKind,
  });
  const pending = new PendingDrafts({
    record: (drafts) => evidence.record(drafts),
    ...(options.onRecorded ? { onRecorded: options.onRecorded } : {}),
    log,
    ...options.pending,
  });
  const unsubscribe = options.onUpdate((out) => {
    const drafts: EvidenceDraft[] = [];
    for (const event of out.events) {
      const draft = recorder.handle(event);
      if (draft) drafts.push(draft);
    }
    pending.add(drafts);
  });
  return {
    pending,
    stop: async (waitMs) => {
      unsubscribe();
      await pending.close(waitMs);
    },
  };
}
