import type { IncomingMessage, ServerResponse } from "node:http";
import { sseMessage } from "../../live-hub.ts";
import { isEnded, type TransferView, type WebTransfers } from "./transfer-registry.ts";

/**
 * One browser following one transfer over Server-Sent Events:
 * `event: progress` with the transfer's view, at most one every
 * `intervalMs` (the engine reports several times a second and at every
 * XOFF/XON; a bar needs no more), the latest always delivered; then
 * `event: end` and the stream closes. Written on the raw response (the
 * route hijacks it), like the live page's stream.
 */
export class ProgressStreams {
  readonly #open = new Set<ServerResponse>();
  readonly #transfers: WebTransfers;
  readonly #intervalMs: number;

  constructor(transfers: WebTransfers, intervalMs: number) {
    this.#transfers = transfers;
    this.#intervalMs = intervalMs;
  }

  follow(id: string, req: IncomingMessage, res: ServerResponse): void {
    const first = this.#transfers.get(id)?.view;
    if (first === undefined) return;
    // Optional calls: app.inject()'s stand-in socket has neither.
    req.socket.setNoDelay?.(true);
    req.socket.setTimeout?.(0);
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    // A reconnect after the end would only find the same end: the page reopens nothing by itself.
    res.write(`retry: 5000\n\n${sseMessage("progress", first)}`);
    if (isEnded(first.state)) {
      this.#finish(res);
      return;
    }
    this.#open.add(res);

    let lastSent = Date.now();
    let pending: TransferView | undefined;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (pending === undefined) return;
      res.write(sseMessage("progress", pending));
      lastSent = Date.now();
      pending = undefined;
    };
    const unsubscribe = this.#transfers.subscribe(id, (view) => {
      pending = view;
      if (isEnded(view.state)) {
        if (timer) clearTimeout(timer);
        flush();
        this.#finish(res);
        return;
      }
      if (timer) return;
      const wait = lastSent + this.#intervalMs - Date.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    });
    res.once("close", () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      this.#open.delete(res);
    });
  }

  /** End every open stream (app shutdown): a stream never ends by itself while its transfer runs. */
  closeAll(): void {
    for (const res of this.#open) res.end();
    this.#open.clear();
  }

  #finish(res: ServerResponse): void {
    res.end(sseMessage("end", {}));
    this.#open.delete(res);
  }
}
