// One connection attempt, start to finish: certificates → security choice →
// secure channel → session → bindings (discovery or explicit map) →
// subscription → ConditionRefresh. Every way it can fail becomes a
// ConnectError whose message says what to do; after success node-opcua's
// connection strategy (unlimited retries, capped backoff) keeps it alive and
// the handlers report what happens.
import { createHash } from "node:crypto";
import {
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type EndpointDescription,
  MessageSecurityMode,
  type OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  type StatusCode,
  type UserIdentityInfo,
  UserTokenType,
} from "node-opcua";
import type { Logger } from "pino";
import type { TypeResolver } from "./browse.ts";
import { UA } from "./companion-types.ts";
import type { OpcuaMonitorConfig } from "./config.ts";
import { ConnectError } from "./connection-error.ts";
import type { Binding } from "./convert.ts";
import { openCertificateManager, pkiFolders } from "./pki.ts";
import { fingerprint, planMonitoring } from "./plan.ts";
import { type ChosenSecurity, chooseSecurity, SecurityChoiceError } from "./security.ts";
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

const APPLICATION_NAME = "Maskinport";

function thumbprint(der: Buffer | null | undefined): string | undefined {
  return der && der.length > 0 ? createHash("sha1").update(der).digest("hex") : undefined;
}

function clientFor(
  config: OpcuaMonitorConfig,
  manager: OPCUACertificateManager,
  security?: ChosenSecurity,
): OPCUAClient {
  return OPCUAClient.create({
    applicationName: APPLICATION_NAME,
    clientCertificateManager: manager,
    securityMode: security ? MessageSecurityMode[security.mode] : MessageSecurityMode.None,
    securityPolicy: security ? SecurityPolicy[security.policy] : SecurityPolicy.None,
    endpointMustExist: false,
    keepSessionAlive: true,
    requestedSessionTimeout: config.sessionTimeoutMs,
    // Every field, always: a partial object makes node-opcua fall back to maxRetry 10.
    connectionStrategy: {
      maxRetry: -1,
      initialDelay: config.reconnect.initialMs,
      maxDelay: config.reconnect.maxMs,
      randomisationFactor: 0.5,
    },
  });
}

function identityFor(config: OpcuaMonitorConfig): UserIdentityInfo {
  return config.username !== undefined
    ? { type: UserTokenType.UserName, userName: config.username, password: config.password ?? "" }
    : { type: UserTokenType.Anonymous };
}

function statusName(err: unknown): string {
  const m = /\b(Bad[A-Za-z]+)\b/.exec(String((err as Error)?.message ?? err));
  return m?.[1] ?? String((err as Error)?.message ?? err);
}

const TOKEN_NAMES = ["Anonymous", "UserName", "Certificate", "IssuedToken"];

/** Does the endpoint we chose accept our kind of login? A clear sentence if not. */
export function checkLoginOffered(
  endpoints: readonly EndpointDescription[],
  security: ChosenSecurity,
  config: Pick<OpcuaMonitorConfig, "username">,
): string | undefined {
  const endpoint = endpoints.find(
    (e) =>
      MessageSecurityMode[e.securityMode] === security.mode &&
      e.securityPolicyUri?.endsWith(`#${security.policy}`),
  );
  const tokens = (endpoint?.userIdentityTokens ?? []).map((t) => t.tokenType);
  if (!endpoint || tokens.length === 0) return undefined;
  const wanted = config.username !== undefined ? UserTokenType.UserName : UserTokenType.Anonymous;
  if (tokens.includes(wanted)) return undefined;
  const offered = [...new Set(tokens.map((t) => TOKEN_NAMES[t] ?? String(t)))].join(", ");
  return config.username !== undefined
    ? `the server does not accept user name logins on ${security.mode}/${security.policy} (it accepts: ${offered}); remove monitor.username/password`
    : `the server does not allow anonymous login (it accepts: ${offered}); set monitor.username and monitor.password`;
}

/** Connect and wait, cancellably: with unlimited retries, connect() only returns once the server answers. */
async function connectClient(client: OPCUAClient, endpoint: string, signal: AbortSignal): Promise<void> {
  const onAbort = () => void client.disconnect().catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await client.connect(endpoint);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (signal.aborted) {
    await client.disconnect().catch(() => {});
    throw new ConnectError("aborted", "stopped while connecting");
  }
}

async function offeredEndpoints(
  config: OpcuaMonitorConfig,
  manager: OPCUACertificateManager,
  signal: AbortSignal,
  waiting: (message: string) => void,
): Promise<EndpointDescription[]> {
  const probe = clientFor(config, manager);
  // node-opcua retries for ever without a word; say once that the server does not answer.
  probe.once("backoff", () =>
    waiting(`cannot reach ${config.endpoint} (no OPC UA server answers); retrying until it does`),
  );
  try {
    await connectClient(probe, config.endpoint, signal);
    return await probe.getEndpoints();
  } finally {
    await probe.disconnect().catch(() => {});
  }
}

export async function openConnection(options: {
  machine: string;
  config: OpcuaMonitorConfig;
  log: Logger;
  handlers: ConnectionHandlers;
  signal: AbortSignal;
  /** Read when the subscription is created: a paused intake creates it with publishing disabled. */
  intakePaused?: () => boolean;
}): Promise<OpcuaConnection> {
  const { config, log, handlers, signal } = options;
  const manager = await openCertificateManager(config.pkiDir);
  let client: OPCUAClient | undefined;
  let session: ClientSession | undefined;
  let subscription: ClientSubscription | undefined;
  let closing = false;
  const close = async () => {
    closing = true;
    await subscription?.terminate().catch(() => {});
    await session?.close().catch(() => {});
    await client?.disconnect().catch(() => {});
    await manager.dispose().catch(() => {});
  };

  try {
    // 1. What does the server offer? Pick the mode and policy.
    const endpoints = await offeredEndpoints(config, manager, signal, handlers.waiting);
    let security: ChosenSecurity;
    try {
      security = chooseSecurity(
        endpoints.map((e) => ({
          securityMode: e.securityMode,
          securityPolicyUri: e.securityPolicyUri ?? "",
          securityLevel: e.securityLevel,
        })),
        { mode: config.securityMode, policy: config.securityPolicy },
      );
    } catch (err) {
      if (err instanceof SecurityChoiceError) throw new ConnectError("security", err.message);
      throw err;
    }
    if (security.warning) log.warn({ endpoint: config.endpoint, security: security.mode }, security.warning);

    // 2. Secure channel. The server certificate must be in our trust list.
    client = clientFor(config, manager, security);
    try {
      await connectClient(client, config.endpoint, signal);
    } catch (err) {
      if (err instanceof ConnectError) throw err;
      const status = statusName(err);
      if (/Certificate/i.test(status) || /certificate/i.test(String((err as Error).message))) {
        const server = endpoints.find((e) => e.serverCertificate?.length)?.serverCertificate;
        const tp = thumbprint(server) ?? "(see the rejected folder)";
        throw new ConnectError(
          "certificate",
          `the server certificate ${tp} is not trusted (${status}); it is kept in ${pkiFolders(config.pkiDir).rejected}. ` +
            `If this is your machine's server, trust it: maskinport opcua trust ${tp} --pki ${config.pkiDir}`,
        );
      }
      throw new ConnectError("network", `cannot open a ${security.mode} channel: ${status}`);
    }

    // 3. Session (login), if the chosen endpoint accepts that kind of login at all.
    const loginProblem = checkLoginOffered(endpoints, security, config);
    if (loginProblem) throw new ConnectError("login", loginProblem);
    try {
      session = await client.createSession(identityFor(config));
    } catch (err) {
      const status = statusName(err);
      throw new ConnectError(
        "login",
        config.username !== undefined
          ? `the server refused the login of user "${config.username}" (${status}); check monitor.username and monitor.password`
          : `the server refused an anonymous login (${status}); set monitor.username and monitor.password`,
      );
    }
    const activeSession = session;

    // 4. What to monitor.
    const plan = await planMonitoring(activeSession, config);
    const { bindings, types } = plan;
    const problems = [...plan.problems];
    handlers.prepare(bindings, types, plan.eventSources);

    // 5. Subscription: data items in chunks, events, then the alarms already active.
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

    // 6. From here node-opcua reconnects by itself; we only listen.
    client.on("connection_lost", () => !closing && handlers.lost());
    activeSession.on("session_restored", () => {
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
    });
    activeSubscription.on(
      "terminated",
      () => !closing && handlers.broken("the server ended the subscription"),
    );
    client.on("close", () => !closing && handlers.broken("the client connection closed"));

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
