import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";

/**
 * A real TCP server playing an MTConnect adapter for the adapter tests: it
 * records what clients send (PINGs), writes lines to them, and can drop them
 * or go away entirely. Loopback only, ephemeral port unless one is given.
 */
export class FakeShdrServer {
  readonly server: Server;
  readonly sockets: Socket[] = [];
  /** Everything clients sent, in order. */
  received = "";
  accepted = 0;
  /** Called for each new client (e.g. to send the initial snapshot). */
  onClient: ((socket: Socket) => void) | undefined;
  /** Answer `* PING` with this line (e.g. "* PONG 200"); undefined = stay silent. */
  pong: string | undefined;

  private constructor() {
    this.server = createServer({ noDelay: true }, (socket) => {
      this.accepted++;
      this.sockets.push(socket);
      socket.on("error", () => {});
      socket.on("close", () => this.sockets.splice(this.sockets.indexOf(socket), 1));
      socket.on("data", (d) => {
        this.received += d.toString("utf8");
        if (this.pong !== undefined && d.toString("utf8").includes("* PING")) socket.write(`${this.pong}\n`);
      });
      this.onClient?.(socket);
    });
  }

  static async start(port = 0): Promise<FakeShdrServer> {
    const s = new FakeShdrServer();
    s.server.listen(port, "127.0.0.1");
    await once(s.server, "listening");
    return s;
  }

  get port(): number {
    const a = this.server.address();
    if (a === null || typeof a === "string") throw new Error("server not listening");
    return a.port;
  }

  /** Write to every connected client. */
  write(data: string | Buffer): void {
    for (const s of this.sockets) s.write(data);
  }

  pings(): number {
    return this.received.split("* PING\n").length - 1;
  }

  /** Close every client connection (the server keeps listening). */
  dropClients(): void {
    for (const s of [...this.sockets]) s.destroy();
  }

  async close(): Promise<void> {
    this.dropClients();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
