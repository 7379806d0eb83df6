import { request } from "node:http";

export type SseMessage = { event: string; data: string; comment?: string };

/**
 * A minimal EventSource for tests: parses the stream as the browser would and
 * lets a test wait for a message that matches.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers: Record<string, string | string[] | undefined> = {};
  #waiters: { match: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }[] = [];
  #destroy: () => void = () => {};
  #ended = false;

  /** `localAddress` picks the loopback address to come from (127.0.0.2 acts as another host). */
  static async connect(
    url: string,
    opts: { localAddress?: string; headers?: Record<string, string> } = {},
  ): Promise<SseClient> {
    const client = new SseClient();
    await new Promise<void>((resolve, reject) => {
      const headers = { Accept: "text/event-stream", ...opts.headers };
      const options = opts.localAddress ? { headers, localAddress: opts.localAddress } : { headers };
      const req = request(url, options, (res) => {
        client.status = res.statusCode ?? 0;
        client.headers = res.headers;
        res.setEncoding("utf8");
        let buffer = "";
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            client.#parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf("\n\n");
          }
        });
        res.on("close", () => {
          client.#ended = true;
        });
        resolve();
      });
      req.on("error", (err) => (client.#ended ? undefined : reject(err)));
      req.end();
      client.#destroy = () => req.destroy();
    });
    return client;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Resolve with the first message (already received or future) that matches. */
  next(match: (m: SseMessage) => boolean, timeoutMs = 3000): Promise<SseMessage> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching SSE message within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  close(): void {
    this.#destroy();
  }

  #parse(block: string): void {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) this.comments.push(line.slice(1).trim());
      else if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    const message = { event, data: data.join("\n") };
    this.messages.push(message);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(message)) return true;
      w.resolve(message);
      return false;
    });
  }
}
