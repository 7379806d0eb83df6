import type { Logger } from "pino";
import type { PipelineOutput } from "../core/contracts.ts";
import type { EvidenceDraft } from "../evidence/recorder/map-event.ts";
import { EvidenceRecorder } from "../evidence/recorder/recorder.ts";
import type { EvidenceService } from "../evidence/service.ts";
import type { SessionHistory } from "../training/sessions/session-history.ts";

/**
 * Pipeline events → evidence: each cycle, transfer, handled alarm and ended
 * session of a checked-in trainee becomes a draft (EvidenceRecorder, pure
 * mapping) and is sealed into the ledger by the EvidenceService, which also
 * writes the P / F-proposed marks it earns. Recording is asynchronous and
 * its failures are logged: the pipeline never waits for the ledger.
 * Returns the disconnect function.
 */
export function wireEvidence(options: {
  evidence: EvidenceService;
  history: SessionHistory;
  machineKind: (machine: string) => string | undefined;
  onUpdate: (listener: (out: PipelineOutput) => void) => () => void;
  /** After records were sealed (the LRS feed pushes at once instead of at its next poll). */
  onRecorded?: () => void;
  log: Logger;
}): () => void {
  const { evidence, history, log } = options;
  const recorder = new EvidenceRecorder({
    resolveSession: (machine, ts) => {
      const s = history.at(machine, ts);
      return s && { sessionId: s.sessionId, traineeId: s.userId };
    },
    machineKind: options.machineKind,
  });
  return options.onUpdate((out) => {
    const drafts: EvidenceDraft[] = [];
    for (const event of out.events) {
      const draft = recorder.handle(event);
      if (draft) drafts.push(draft);
    }
    if (drafts.length === 0) return;
    evidence.record(drafts).then(
      () => options.onRecorded?.(),
      (err: unknown) => {
        // Types and machines only: a draft names the trainee in clear.
        log.error({ err, types: drafts.map((d) => d.type) }, "evidence could not be recorded");
      },
    );
  });
}
