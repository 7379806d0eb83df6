import { connect, type Socket } from "node:net";
import { DncError } from "../errors.ts";
import { type ByteLink, LinkListeners } from "./link.ts";

export type TcpLinkOptions = {
  host: string;
  port: number;
  /** Give up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
};

/**
 * Raw TCP to a serial device server in "TCP server" mode (Moxa NPort and
 * alike, default port 4001): the device server frames characters on its
 * serial side, so bytes here are characters.
 */
export function openTcpLink(opts: TcpLinkOptions): Promise<ByteLink> {
  const { host, port } = opts;
  const description = `tcp ${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new DncError(
          "no-response",
          `device server ${host}:${port} did not answer within ${opts.connectTimeoutMs ?? 5000} ms: check its power, network cable and address`,
        ),
      );
    }, opts.connectTimeoutMs ?? 5000);
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(connectError(host, port, err));
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(wrap(socket, description));
    });
  });
}

function wrap(socket: Socket, description: string): ByteLink {
  const listeners = new LinkListeners();
  let closing = false;
  let lastError: Error | undefined;
  // Keepalive notices a device server that vanished while the line is quiet.
  socket.setKeepAlive(true, 5000);
  socket.on("data", (bytes: Buffer) => listeners.emitData(bytes));
  socket.on("error", (err) => {
    lastError = err;
  });
  socket.on("close", () => {
    if (closing) return listeners.emitClose(undefined);
    listeners.emitClose(
      new DncError(
        "cable-pulled",
        `connection to ${description.slice(4)} was lost${lastError ? ` (${(lastError as NodeJS.ErrnoException).code ?? lastError.message})` : ""}: ` +
          "the device server closed it or the network/serial cable was pulled; the transfer is incomplete",
        { cause: lastError },
      ),
    );
  });
  return {
    description,
    kind: "tcp",
    get isOpen() {
      return !socket.destroyed && !closing;
    },
    write(bytes) {
      return listeners.write(description, bytes, (b, callback) => socket.write(b, callback));
    },
    onData: (l) => listeners.onData(l),
    onClose: (l) => listeners.onClose(l),
    close() {
      if (closing) return Promise.resolve();
      closing = true;
      return new Promise((resolve) => {
        if (socket.destroyed) {
          listeners.emitClose(undefined);
          return resolve();
        }
        socket.once("close", () => resolve());
        socket.end();
        // A device server that never finishes the close handshake must not hang us.
        setTimeout(() => socket.destroy(), 1000).unref();
      });
    },
  };
}

function connectError(host: string, port: number, err: NodeJS.ErrnoException): DncError {
  switch (err.code) {
    case "ECONNREFUSED":
      return new DncError(
        "connection-refused",
        `device server ${host}:${port} refused the connection: is it in "TCP server" mode on port ${port}, and is no other program connected?`,
        { cause: err },
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new DncError(
        "port-missing",
        `device server host ${host} not found: check the name in the config`,
        {
          cause: err,
        },
      );
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ETIMEDOUT":
      return new DncError(
        "no-response",
        `device server ${host}:${port} is unreachable (${err.code}): check network and power`,
        {
          cause: err,
        },
      );
    default:
      return new DncError("port-error", `cannot connect to ${host}:${port}: ${err.message}`, { cause: err });
  }
}
