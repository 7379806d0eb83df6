import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { Aedes } from "aedes";
import type { Logger } from "pino";
import type { BrokerLimits, BrokerTlsConfig, BrokerUser } from "./broker-config.ts";
import { BrokerGuard, type GatewayLogin } from "./broker-guard.ts";

export type BrokerCoreOptions = {
  /** Listen address; keep 127.0.0.1 unless machines elsewhere must subscribe. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Topic prefix only the gateway may publish under. */
  prefix: string;
  /** The gateway's own login; its client id is reserved. */
  gateway: GatewayLogin;
  users: readonly BrokerUser[];
  allowAnonymousRead: boolean;
  limits: BrokerLimits;
  /** A second listener with TLS (port 0 picks a free one). */
  tls?: BrokerTlsConfig;
  log: Logger;
};

export type BrokerCore = {
  port: number;
  /** The TLS listener's port, when there is one. */
  tlsPort?: number;
  close(): Promise<void>;
};

/** A client that has not sent CONNECT by then is dropped (aedes' default is 30 s). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * aedes writes every forwarded packet with its own system call; at tens of
 * thousands of messages a second that syscall cost dominates (measured: about
 * 30 % of the gateway thread, twice the delivered rate with this change).
 * Corking the socket on the first write of an event-loop turn and uncorking
 * on the next turn sends everything written in one turn as one writev. The
 * delay is at most one turn, so latency is not traded for it.
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    if (!socket.destroyed) socket.uncork();
  };
  socket.write = ((...args: unknown[]) => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write(...args);
  }) as Socket["write"];
}

function readPem(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new Error(
      `embedded MQTT broker cannot read mqtt.embedded.tls.${key} "${path}" (${code}): give a readable PEM file`,
    );
  }
}

function listenHint(code: string | undefined, portKey: string, hostKey: string): string {
  switch (code) {
    case "EADDRINUSE":
      return `another broker (Mosquitto?) already listens there: stop it or choose another ${portKey}`;
    case "EADDRNOTAVAIL":
      return `that address is not on this computer: set ${hostKey} to 127.0.0.1 or one of its addresses`;
    case "EACCES":
      return "ports below 1024 need privileges: choose a port above 1024";
    default:
      return `check ${hostKey} and ${portKey}`;
  }
}

async function listen(server: Server, host: string, port: number, what: string, keys: [string, string]) {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `${what} cannot listen on ${host}:${port} (${code}): ${listenHint(code, keys[0], keys[1])}`,
    );
  }
  const address = server.address();
  return typeof address === "object" && address ? address.port : port;
}

/**
 * aedes listening on a TCP port, and optionally on a TLS port: the broker
 * itself. It runs inside the broker worker thread (embedded-broker.ts), so
 * its per-message cost is not paid on the gateway's event loop. Every
 * connection passes the BrokerGuard (logins, topic rules, bounds).
 */
export async function listenBroker(opts: BrokerCoreOptions): Promise<BrokerCore> {
  const log = opts.log;
  const guard = new BrokerGuard({
    prefix: opts.prefix,
    gateway: opts.gateway,
    users: opts.users,
    allowAnonymousRead: opts.allowAnonymousRead,
    limits: opts.limits,
    log,
  });
  const tlsOptions = opts.tls
    ? {
        cert: readPem(opts.tls.cert, "cert"),
        key: readPem(opts.tls.key, "key"),
        ...(opts.tls.ca
          ? { ca: readPem(opts.tls.ca, "ca"), requestCert: true, rejectUnauthorized: true }
          : {}),
      }
    : undefined;

  const broker = await Aedes.createBroker({ ...guard.hooks(), connectTimeout: CONNECT_TIMEOUT_MS });
  broker.on("clientError", (client, err) =>
    log.debug({ clientId: client.id, error: err.message }, "client error"),
  );
  broker.on("connectionError", (client, err) =>
    log.debug({ clientId: client.id, error: err.message }, "connection error"),
  );

  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    if (!guard.admitSocket(socket)) return;
    coalesceWrites(socket);
    broker.handle(socket);
  };
  // noDelay: with Nagle a QoS 1 round trip costs 40+ ms (notes/toolchain.md).
  const servers: Server[] = [createServer({ noDelay: true }, accept)];
  if (tlsOptions) {
    const tlsServer = createTlsServer(
      { ...tlsOptions, noDelay: true, handshakeTimeout: CONNECT_TIMEOUT_MS },
      accept,
    );
    // A failed handshake (wrong CA, a plain client on the TLS port) is the client's problem, not the broker's.
    tlsServer.on("tlsClientError", (err, socket) => {
      log.debug({ error: err.message, address: socket.remoteAddress }, "TLS handshake failed");
    });
    servers.push(tlsServer);
  }

  let port: number;
  let tlsPort: number | undefined;
  try {
    port = await listen(servers[0]!, opts.host, opts.port, "embedded MQTT broker", [
      "mqtt.embedded.port",
      "mqtt.embedded.host",
    ]);
    if (opts.tls && servers[1]) {
      tlsPort = await listen(servers[1], opts.tls.host, opts.tls.port, "embedded MQTT broker (TLS)", [
        "mqtt.embedded.tls.port",
        "mqtt.embedded.tls.host",
      ]);
    }
  } catch (err) {
    for (const server of servers) if (server.listening) server.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw err;
  }

  log.info(
    {
      host: opts.host,
      port,
      ...(tlsPort !== undefined ? { tlsHost: opts.tls?.host, tlsPort } : {}),
      users: opts.users.length,
      anonymousRead: opts.allowAnonymousRead,
    },
    "embedded MQTT broker listening",
  );

  let closed: Promise<void> | undefined;
  return {
    port,
    ...(tlsPort !== undefined ? { tlsPort } : {}),
    close() {
      closed ??= (async () => {
        const serversClosed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await Promise.all(serversClosed);
      })();
      return closed;
    },
  };
}
