import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";
import type { MaskinportConfig } from "../config/schema.ts";
import type { PipelineOutput } from "../core/contracts.ts";
import type { DncMachine } from "../dnc/engine/dnc-machine.ts";
import type { PendingDrafts } from "../evidence/recorder/pending-drafts.ts";
import { registerPendingDraftsMetrics } from "../evidence/recorder/pending-metrics.ts";
import type { EvidenceService } from "../evidence/service.ts";
import type { MqttSink } from "../sinks/mqtt/mqtt-sink.ts";
import type { SharedOutbox } from "../sinks/outbox/shared-outbox.ts";
import { demoProgramFor } from "../training/demo/demo-programs.ts";
import { SessionHistory } from "../training/sessions/session-history.ts";
import { cycleWhoResolver } from "../web/api/cycle-who.ts";
import type { CheckInPort } from "../web/api/dnc/ports.ts";
import { trainingApi } from "../web/api/training-api.ts";
import type { ApiRoutes } from "../web/app.ts";
import type { Authenticator } from "../web/auth/authenticator.ts";
import type { WebSessionStore } from "../web/auth/session-store.ts";
import type { CycleWhoResolver } from "../web/machine-events-route.ts";
import { openEvidence } from "./evidence.ts";
import { startEvidenceUpkeep } from "./evidence-upkeep.ts";
import { wireEvidence } from "./evidence-wiring.ts";
import { metricsOncePerRegistry } from "./metrics-once.ts";
import { wireSessions } from "./session-wiring.ts";
import type { StopList } from "./stop-list.ts";
import { startTraining, type Training } from "./training.ts";

/** The training layer of this start, whose checked-in count /metrics shows. */
const trainingMetricsFor = metricsOncePerRegistry<{ training?: Training }>((registry, c) => {
  // How many machines have a trainee checked in: a count, never who (no user or pseudonym labels).
  new Gauge({
    name: "maskinport_training_checked_in_machines",
    help: "Machines with a trainee checked in (open sessions), across the site when gateways share PostgreSQL",
    registers: [registry],
    collect() {
      this.set(c.training?.sessions.openSessions().length ?? 0);
    },
  });
});

/** The evidence queue of this start (with `evidence:` only), whose figures /metrics shows. */
const pendingMetricsFor = metricsOncePerRegistry<{ pending?: PendingDrafts }>((registry, c) =>
  registerPendingDraftsMetrics(registry, () => c.pending),
);

/** What of the running gateway the training layer plugs into. */
export type TrainingHost = {
  applySession(machine: string, pseudonym: string | null, ts: number): void;
  onUpdate(listener: (out: PipelineOutput) => void): () => void;
  /** Reported in /healthz (the evidence ledger: degraded while drafts are held). */
  addHealthCheck?(name: string, check: () => { ok: boolean; detail?: string }): void;
};

export type WiredTraining = {
  training: Training;
  evidence: EvidenceService | undefined;
  authenticator: Authenticator;
  /** Where web logins live: beside the users in the training store (SQLite file or PostgreSQL). */
  webSessions: WebSessionStore;
  apiRoutes: ApiRoutes;
  /** Who ran each cycle on the machine page, per viewer (from the sessions in the training store). */
  cycleWho: CycleWhoResolver;
  /** Who is checked in where, for the DNC upload routes (a trainee sends only where checked in). */
  checkIns: CheckInPort;
  /**
   * Once the pipeline runs: the demo's scripted course day, if `training.demo`;
   * a trainee checking in on a machine with a DNC line sends the demo program.
   */
  startDemoDay(dnc: (machine: string) => DncMachine | undefined): void;
};

/**
 * `training:` (and `evidence:`) of the config, plugged into the gateway:
 * sessions into the pipeline and machine activity back, evidence from
 * pipeline events, MQTT check-in on the gateway's own connection, and the
 * login and API for the web app. Everything it starts is on the stop list.
 * Undefined when the config has no training section.
 */
export async function wireTraining(
  config: MaskinportConfig,
  host: TrainingHost,
  context: {
    mqtt: MqttSink;
    /** The shared outbox (an "xapi" member when evidence.xapi is set), for the LRS feed. */
    outbox: SharedOutbox | undefined;
    metrics: Registry;
    log: Logger;
    stopList: StopList;
  },
): Promise<WiredTraining | undefined> {
  if (!config.training) return undefined;
  const kinds = new Map(config.machines.map((m) => [m.id, m.kind]));
  const { log, stopList } = context;
  const machineIds = config.machines.map((m) => m.id);
  const training = await startTraining(config.training, {
    machines: machineIds,
    timeZone: config.gateway.timeZone,
    log,
  });
  stopList.add("training", () => training.close());
  trainingMetricsFor(context.metrics).training = training;
  const unwireSessions = wireSessions(training.sessions, host, machineIds);
  stopList.add("session wiring", async () => unwireSessions());

  let evidence: EvidenceService | undefined;
  if (config.evidence) {
    const opened = await openEvidence({
      config: config.evidence,
      libraryPath: config.library.path,
      postgresUrl: config.training.postgres?.url,
      log,
    });
    stopList.add("evidence", () => opened.close());
    evidence = opened.service;
    const upkeep = await startEvidenceUpkeep({
      config: config.evidence,
      service: opened.service,
      ledger: opened.ledger,
      catalogue: opened.catalogue,
      trainingStore: training.store,
      outbox: context.outbox,
      site: config.site,
      timeZone: config.gateway.timeZone,
      metrics: context.metrics,
      log,
      stopList,
    });
    const history = new SessionHistory(training.sessions);
    const wired = wireEvidence({
      evidence,
      history,
      machineKind: (m) => kinds.get(m),
      onUpdate: (l) => host.onUpdate(l),
      onRecorded: () => upkeep.notify(),
      log: log.child({ part: "evidence" }),
    });
    pendingMetricsFor(context.metrics).pending = wired.pending;
    host.addHealthCheck?.("evidence ledger", () => {
      const { pending, outageSince } = wired.pending.stats;
      return outageSince === undefined
        ? { ok: true, detail: "recording" }
        : {
            ok: false,
            detail: `unreachable since ${new Date(outageSince).toISOString()}; ${pending} drafts held`,
          };
    });
    // Closed before the ledger (the stop list runs in reverse): the last attempt still has a store.
    stopList.add("evidence wiring", async () => {
      await wired.stop();
      history.close();
    });
  }

  const client = context.mqtt.connection;
  if (client) await training.startMqttCheckin(client, config.mqtt.prefix ?? `maskinport/${config.site}`);

  return {
    training,
    evidence,
    authenticator: training.authenticator,
    webSessions: training.webSessions,
    apiRoutes: trainingApi({
      users: training.users,
      courses: training.courses,
      sessions: training.sessions,
      machineIds: () => machineIds,
      log: log.child({ part: "api" }),
      timeZone: config.gateway.timeZone,
      ...(evidence ? { evidence } : {}),
    }),
    cycleWho: cycleWhoResolver({
      users: training.users,
      sessions: training.sessions,
      sessionsOn: (machine, from, to) => training.store.listSessions({ machine, from, to }),
    }),
    checkIns: {
      isCheckedIn: (userId, machine) => training.sessions.current(machine)?.userId === userId,
      pseudonymOf: (userId) => training.sessions.pseudonymOf(userId),
    },
    startDemoDay: (dnc) =>
      training.startDemoDay(async (machine, traineeId) => {
        const line = dnc(machine);
        if (!line) return;
        // The audit and the event name the trainee by pseudonym, as a transfer from the web page will.
        const pseudonym = training.sessions.pseudonymOf(traineeId);
        const transfer = line.send(demoProgramFor(kinds.get(machine) ?? "other"), { user: pseudonym });
        const outcome = await transfer.done;
        if (outcome.result !== "ok") {
          log.warn(
            { machine, result: outcome.result, error: outcome.error?.message },
            "demo: program transfer failed",
          );
        }
      }),
  };
}
