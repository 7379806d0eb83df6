import { connect, type Socket } from "node:net";
import { waitFor } from "../../support/ports.ts";

/** A bare TCP client that collects the SHDR lines it receives (with the time each arrived). */
export class ShdrTestClient {
  readonly lines: { text: string; at: number }[] = [];
  readonly socket: Socket;
  #pending = "";
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.#pending += chunk;
      const parts = this.#pending.split("\n");
      this.#pending = parts.pop() ?? "";
      const at = performance.now();
      for (const text of parts) this.lines.push({ text, at });
    });
    socket.on("close", () => {
      this.closed = true;
    });
    socket.on("error", () => {});
  }

  static async connect(port: number): Promise<ShdrTestClient> {
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new ShdrTestClient(socket);
  }

  get text(): string[] {
    return this.lines.map((l) => l.text);
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  /** The first line (from index `from`) that matches; fails naming what was awaited. */
  async waitForLine(
    what: string,
    match: (line: string) => boolean,
    from = 0,
    timeoutMs = 5000,
  ): Promise<string> {
    return waitFor(what, () => this.lines.slice(from).find((l) => match(l.text))?.text, timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}
