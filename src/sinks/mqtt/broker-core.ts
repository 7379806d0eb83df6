import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { Aedes, type AuthenticateError } from "aedes";
import type { Logger } from "pino";

export type BrokerCoreOptions = {
  /** Listen address; keep 127.0.0.1 unless machines elsewhere must subscribe. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** When both are set, every client must log in with them. */
  username?: string;
  password?: string;
  log: Logger;
};

export type BrokerCore = {
  port: number;
  close(): Promise<void>;
};

// MQTT 3.1.1 CONNACK return code 4: "bad user name or password".
const BAD_USERNAME_OR_PASSWORD = 4;

// Hash first so that the comparison takes the same time whatever the lengths.
function sameSecret(given: string | Buffer | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

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

/**
 * aedes listening on a TCP port: the broker itself. It runs inside the
 * broker worker thread (embedded-broker.ts), so its per-message cost is not
 * paid on the gateway's event loop.
 */
export async function listenBroker(opts: BrokerCoreOptions): Promise<BrokerCore> {
  const log = opts.log;
  if ((opts.username === undefined) !== (opts.password === undefined)) {
    throw new Error("mqtt.embedded: set both username and password, or neither");
  }
  const { username, password } = opts;

  const broker = await Aedes.createBroker(
    username !== undefined && password !== undefined
      ? {
          authenticate: (client, user, pass, done) => {
            if (user === username && sameSecret(pass, password)) return done(null, true);
            // The user name is logged to help the technician; the password never is.
            log.warn({ clientId: client.id, user }, "embedded broker rejected a login");
            const err = new Error("bad user name or password") as AuthenticateError;
            err.returnCode = BAD_USERNAME_OR_PASSWORD as AuthenticateError["returnCode"];
            return done(err, null);
          },
        }
      : {},
  );
  broker.on("clientError", (client, err) =>
    log.debug({ clientId: client.id, error: err.message }, "client error"),
  );
  broker.on("connectionError", (client, err) =>
    log.debug({ clientId: client.id, error: err.message }, "connection error"),
  );

  const sockets = new Set<Socket>();
  // noDelay: with Nagle a QoS 1 round trip costs 40+ ms (notes/toolchain.md).
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    coalesceWrites(socket);
    broker.handle(socket);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port, opts.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    const code = (err as NodeJS.ErrnoException).code;
    const hint =
      code === "EADDRINUSE"
        ? "another broker (Mosquitto?) already listens there: stop it or choose another mqtt.embedded.port"
        : code === "EADDRNOTAVAIL"
          ? "that address is not on this computer: set mqtt.embedded.host to 127.0.0.1 or one of its addresses"
          : code === "EACCES"
            ? "ports below 1024 need privileges: choose a port above 1024"
            : "check mqtt.embedded.host and mqtt.embedded.port";
    throw new Error(`embedded MQTT broker cannot listen on ${opts.host}:${opts.port} (${code}): ${hint}`);
  }

  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  log.info({ host: opts.host, port, auth: username !== undefined }, "embedded MQTT broker listening");

  let closed: Promise<void> | undefined;
  return {
    port,
    close() {
      closed ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await serverClosed;
      })();
      return closed;
    },
  };
}
