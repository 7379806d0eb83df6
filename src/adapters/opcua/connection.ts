// One machine's connection attempt, start to finish: a session on its server
// (opened, or shared with the server's other machines: session-pool.ts) → bindings
// (discovery or explicit map) → its own subscription → ConditionRefresh.
// Every way it can fail becomes a ConnectError whose message says what to do;
// after success node-opcua's connection strategy (unlimited retries, capped
// backoff) keeps the session alive and the handlers report what happens.
import type { ClientSubscription, DataValue, StatusCode } from "node-opcua-client";
import type { Logger } from "pino";
import type { TypeResolver } from "./browse.ts";
import { UA } from "./companion-types.ts";
import type { OpcuaMonitorConfig } from "./config.ts";
import { ConnectError } from "./connection-error.ts";
import type { Binding } from "./convert.ts";
import { fingerprint, planMonitoring } from "./plan.ts";
import type { ChosenSecurity } from "./security.ts";
import type { SessionLease, SessionPool } from "./session-pool.ts";
import {
  conditionRefresh,
  createSubscription,
  eventFilter,
  monitorBindings,
  monitorEvents,
  setPublishing,
} from "./subscription.ts";

export type ConnectionHandlers = {
  /**
   * Called once what to monitor is known, before the first notification can
   * arrive. `eventSources`: the SourceNodes whose events are this machine's
   * (null = all events of the server).
   */
  prepare(bindings: readonly Binding[], types: TypeResolver, eventSources: ReadonlySet<string> | null): void;
  data(index: number, dv: DataValue): void;
  event(values: readonly unknown[]): void;
  /** The server does not answer yet; node-opcua keeps trying (the attempt is still running). */
  waiting(message: string): void;
  /** The channel dropped; node-opcua is reconnecting. */
  lost(): void;
  /** Channel and session are back (subscriptions recreated by node-opcua). */
  restored(): void;
  /** The connection cannot recover by itself (subscription gone, client closed): start over. */
  broken(reason: string): void;
};

export type OpcuaConnection = {
  bindings: readonly Binding[];
  /** Config problems found while connecting (bad nodes in the explicit map …): logged, not fatal. */
  problems: readonly string[];
  security: ChosenSecurity;
  types: TypeResolver;
  /** The discovered machine's browse name (companion mode). */
  machineName?: string;
  /** Whether the subscription was created publishing (false: the intake was paused then). */
  createdPublishing: boolean;
  /** SetPublishingMode on the subscription (intake pause); a failed call throws. */
  setPublishing(enabled: boolean): Promise<StatusCode>;
  refreshConditions(): Promise<void>;
  close(): Promise<void>;
};

export async function openConnection(options: {
  machine: string;
  config: OpcuaMonitorConfig;
  log: Logger;
  handlers: ConnectionHandlers;
  signal: AbortSignal;
  /** Where the session comes from: shared with the other machines on the same server and login. */
  sessions: SessionPool;
  /** Read when the subscription is created: a paused intake creates it with publishing disabled. */
  intakePaused?: () => boolean;
}): Promise<OpcuaConnection> {
  const { config, log, handlers, signal } = options;
  let lease: SessionLease | undefined;
  let subscription: ClientSubscription | undefined;
  let closing = false;
  // The client and session outlive this connection when shared: what it hangs on them comes off at close.
  const detach: (() => void)[] = [];
  const close = async () => {
    closing = true;
    for (const off of detach.splice(0)) off();
    await subscription?.terminate().catch(() => {});
    await lease?.release();
  };

  try {
    // 1–3. A session on the server: security chosen, channel open, logged in (open-session.ts, shared through session-pool.ts).
    lease = await options.sessions.lease(config, { log, signal, waiting: handlers.waiting });
    const { client, security } = lease;
    const activeSession = lease.session;

    // 4. What to monitor.
    const plan = await planMonitoring(activeSession, config);
    const { bindings, types } = plan;
    const problems = [...plan.problems];
    handlers.prepare(bindings, types, plan.eventSources);

    // 5. This machine's subscription: data items in chunks, events, then the alarms already active.
    const createdPublishing = options.intakePaused?.() !== true;
    subscription = await createSubscription(activeSession, config, createdPublishing);
    const activeSubscription = subscription;
    const refused = await monitorBindings(activeSession, activeSubscription, bindings, config, handlers.data);
    for (const p of refused) {
      const b = bindings[p.index]!;
      problems.push(
        `${config.nodes ? `monitor.nodes["${b.signal}"]` : `signal ${b.signal}`}: the server refused to monitor ${b.ref} (${p.status.name})`,
      );
    }
    if (config.events) {
      // On the Server object: node-opcua (and others) send the ConditionRefresh bracket only there.
      const status = await monitorEvents(activeSubscription, UA.Server, eventFilter(types), handlers.event);
      if (!status.isGood()) problems.push(`the server's events cannot be monitored (${status.name})`);
    }
    const refreshConditions = async () => {
      if (!config.events) return;
      try {
        const status = await conditionRefresh(activeSession, activeSubscription.subscriptionId);
        if (!status.isGood() && status.name !== "BadNothingToDo") {
          log.debug({ status: status.name }, "ConditionRefresh not supported by the server");
        }
      } catch (err) {
        log.debug({ err: (err as Error).message }, "ConditionRefresh failed");
      }
    };

    // 6. From here node-opcua reconnects by itself (the session and every subscription on it); we only listen.
    const onLost = () => !closing && handlers.lost();
    const onRestored = () => {
      if (closing) return;
      // Same node ids as before the restart? Otherwise the recreated items watch nothing: start over.
      planMonitoring(activeSession, config).then(
        (again) =>
          fingerprint(again) === fingerprint(plan)
            ? handlers.restored()
            : handlers.broken("the server's address space changed during its restart"),
        (err) =>
          handlers.broken(`re-reading the address space after the restart failed: ${(err as Error).message}`),
      );
    };
    const onTerminated = () => !closing && handlers.broken("the server ended the subscription");
    const onClose = () => !closing && handlers.broken("the client connection closed");
    client.on("connection_lost", onLost);
    activeSession.on("session_restored", onRestored);
    activeSubscription.on("terminated", onTerminated);
    client.on("close", onClose);
    detach.push(
      () => client.off("connection_lost", onLost),
      () => activeSession.off("session_restored", onRestored),
      () => activeSubscription.off("terminated", onTerminated),
      () => client.off("close", onClose),
    );

    await refreshConditions();
    return {
      bindings,
      problems,
      security,
      types,
      ...(plan.machineName ? { machineName: plan.machineName } : {}),
      createdPublishing,
      setPublishing: (enabled) => setPublishing(activeSubscription, enabled),
      refreshConditions,
      close,
    };
  } catch (err) {
    await close();
    if (err instanceof ConnectError) throw err;
    if (signal.aborted) throw new ConnectError("aborted", "stopped while connecting");
    throw new ConnectError("network", `${(err as Error).message ?? err}`);
  }
}
