// Opening a session on an OPC UA server: certificates → security choice →
// secure channel → session (login). Every way it can fail becomes a
// ConnectError whose message says what to do. Who shares the session is
// session-pool.ts's business.
import { createHash } from "node:crypto";
import type { OPCUACertificateManager } from "node-opcua-certificate-manager";
import {
  type ClientSession,
  type EndpointDescription,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
  type UserIdentityInfo,
  UserTokenType,
} from "node-opcua-client";
import type { Logger } from "pino";
import type { OpcuaMonitorConfig } from "./config.ts";
import { ConnectError } from "./connection-error.ts";
import { openCertificateManager, pkiFolders } from "./pki.ts";
import { type ChosenSecurity, chooseSecurity, SecurityChoiceError } from "./security.ts";

/** The options that make two machines' sessions interchangeable. */
export type SessionConfig = Pick<
  OpcuaMonitorConfig,
  | "endpoint"
  | "securityMode"
  | "securityPolicy"
  | "username"
  | "password"
  | "pkiDir"
  | "sessionTimeoutMs"
  | "reconnect"
>;

const APPLICATION_NAME = "Maskinport";

function thumbprint(der: Buffer | null | undefined): string | undefined {
  return der && der.length > 0 ? createHash("sha1").update(der).digest("hex") : undefined;
}

function clientFor(
  config: SessionConfig,
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

function identityFor(config: SessionConfig): UserIdentityInfo {
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
  config: SessionConfig,
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

/** A client with its session, and how to close both. */
export type OpenSession = {
  client: OPCUAClient;
  session: ClientSession;
  security: ChosenSecurity;
  close(): Promise<void>;
};

/** Steps 1–3 of a connection: what the server offers, a secure channel, a session. */
export async function openSession(
  config: SessionConfig,
  log: Logger,
  signal: AbortSignal,
  waiting: (message: string) => void,
): Promise<OpenSession> {
  const manager = await openCertificateManager(config.pkiDir);
  let client: OPCUAClient | undefined;
  let session: ClientSession | undefined;
  const close = async () => {
    await session?.close().catch(() => {});
    await client?.disconnect().catch(() => {});
    await manager.dispose().catch(() => {});
  };
  try {
    // 1. What does the server offer? Pick the mode and policy.
    const endpoints = await offeredEndpoints(config, manager, signal, waiting);
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
    return { client, session, security, close };
  } catch (err) {
    await close();
    if (err instanceof ConnectError) throw err;
    if (signal.aborted) throw new ConnectError("aborted", "stopped while connecting");
    throw new ConnectError("network", `${(err as Error).message ?? err}`);
  }
}
