import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Catalogue } from "../evidence/catalogue/load.ts";
import type { EvidenceConfig } from "../evidence/config.ts";
import type { LedgerStore } from "../evidence/ledger/store.ts";
import { registerRetentionMetrics } from "../evidence/privacy/retention-metrics.ts";
import { RetentionScheduler } from "../evidence/privacy/retention-scheduler.ts";
import type { EvidenceService } from "../evidence/service.ts";
import { XapiPush } from "../evidence/xapi/lrs-push.ts";
import type { SharedOutbox } from "../sinks/outbox/shared-outbox.ts";
import { registerLrsMetrics } from "../sinks/xapi/lrs-metrics.ts";
import { trainingRetentionSource } from "../training/retention-source.ts";
import type { TrainingStore } from "../training/store/types.ts";
import { metricsOncePerRegistry } from "./metrics-once.ts";
import type { StopList } from "./stop-list.ts";

// The evidence side's two background jobs, as src/evidence/README.md
// ("Wiring into the gateway") describes them: retention (daily, erases what
// is past its purpose) and, when `evidence.xapi` is set, the feed of
// statements to a Learning Record Store through the shared outbox.

/** The metrics of whichever scheduler and push run now. */
type Current = { retention?: RetentionScheduler | undefined; push?: XapiPush | undefined };
const currentFor = metricsOncePerRegistry<Current>((registry, c) => {
  registerRetentionMetrics(registry, () => c.retention);
  registerLrsMetrics(registry, () => ({ sink: c.push?.sink, feed: c.push?.feed }));
});

export async function startEvidenceUpkeep(o: {
  config: EvidenceConfig;
  service: EvidenceService;
  ledger: LedgerStore;
  catalogue: Catalogue;
  trainingStore: TrainingStore;
  /** The shared outbox, with an "xapi" member when `evidence.xapi` is set (sinks.ts). */
  outbox: SharedOutbox | undefined;
  site: string;
  timeZone: string;
  metrics: Registry;
  log: Logger;
  stopList: StopList;
}): Promise<{ notify(): void }> {
  const current = currentFor(o.metrics);
  const source = trainingRetentionSource(o.trainingStore, o.timeZone);
  const retention = new RetentionScheduler({
    policy: o.config.retention,
    courses: source.courses,
    timeZone: o.timeZone,
    actions: {
      eraseEvidence: (id, reason, ts) => o.service.erase(id, reason, ts),
      deleteSessionLinksBefore: source.deleteSessionLinksBefore,
    },
    log: o.log.child({ part: "retention" }),
  });
  await retention.start();
  current.retention = retention;
  o.stopList.add("evidence retention", async () => retention.stop());

  const xapi = o.config.xapi;
  if (!xapi || !o.outbox) return { notify: () => {} };
  const push = new XapiPush({
    xapi,
    site: o.site,
    catalogue: o.catalogue,
    ledger: o.ledger,
    outbox: o.outbox.sink("xapi"),
    log: o.log.child({ sink: "xapi" }),
  });
  await push.start();
  current.push = push;
  // Stopped before the outbox closes: the stop list runs in reverse and the outbox opened first.
  o.stopList.add("xapi push", () => push.stop());
  return { notify: () => push.notify() };
}
