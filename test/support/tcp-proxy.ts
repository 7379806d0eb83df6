// A network drop on demand: a TCP proxy on loopback between a client (the
// gateway) and a real server (PostgreSQL). cut() kills every connection
// through it and refuses new ones, as a pulled cable or a restarting server
// looks to the client (ECONNRESET, then ECONNREFUSED); restore() takes
// connections again on the same port.
import { connect, createServer, type Server, type Socket } from "node:net";

export type TcpProxy = {
  /** The proxy's port on 127.0.0.1: point the client here instead of at the server. */
  port: number;
  /** Connections made through the proxy so far. */
  readonly connections: number;
  /** Destroys every open connection and refuses new ones until restore(). */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
};

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let connections = 0;
  const onConnection = (client: Socket) => {
    connections++;
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer(onConnection);
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve(server));
    });
  let server: Server | undefined = await listen(0);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  const stopListening = async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  const cut = async () => {
    const closing = stopListening();
    // resetAndDestroy: an RST, as a dead peer's kernel answers, not a polite FIN.
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
    await closing;
  };
  return {
    port,
    get connections() {
      return connections;
    },
    cut,
    restore: async () => {
      if (!server) server = await listen(port);
    },
    close: cut,
  };
}
