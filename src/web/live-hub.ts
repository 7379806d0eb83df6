import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { PipelineOutput } from "../core/contracts.ts";
import { SignalCoalescer } from "./signal-coalescer.ts";

export type LiveHubOptions = {
  /** Subscribe to pipeline output; returns the unsubscribe function. */
  subscribe(listener: (out: PipelineOutput) => void): () => void;
  /** The payload of the `snapshot` event every new client gets first. */
  initial(): unknown;
  /** Comment line sent to every client this often, so proxies and browsers keep the stream open. */
  heartbeatMs: number;
  /** Signal values are coalesced per machine and sent at most this often. */
  signalThrottleMs: number;
  maxClients: number;
  /** Streams one client address may hold; one host must not fill every slot. */
  maxClientsPerAddress: number;
  /** A client whose unsent buffer grows past this is dropped; its browser reconnects and resyncs. */
  maxBufferedBytes: number;
  log: Logger;
};

/** Why a stream was not opened: the hub is full, this address holds its share, or the hub is shutting down. */
export type AcceptResult = "accepted" | "full" | "address-limit" | "closed";

/** Browsers wait this long before reconnecting after the stream drops. */
const RECONNECT_DELAY_MS = 2000;

/** Encode one Server-Sent Events message. JSON.stringify never emits raw newlines, so one data line suffices. */
export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Fans pipeline output out to every connected browser over Server-Sent Events.
 *
 * One hub serves all clients: it subscribes to the pipeline only while at
 * least one client is connected, serialises each message once, and keeps a
 * single heartbeat and a single flush timer. Snapshots and events go out at
 * once (an alarm must show within a second); signal values are coalesced
 * (see SignalCoalescer) so the wire carries at most one update per machine
 * per `signalThrottleMs`, whatever the observation rate.
 */
export class LiveEventHub {
  readonly #options: LiveHubOptions;
  readonly #clients = new Set<ServerResponse>();
  /** Open streams per client address. */
  readonly #perAddress = new Map<string, number>();
  readonly #coalescer = new SignalCoalescer();
  #unsubscribe: (() => void) | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #flush: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: LiveHubOptions) {
    this.#options = options;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** Streams open from one client address. */
  clientsFrom(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  /**
   * Take over a request as an event stream for the client at `address`
   * (client-address.ts). Anything but "accepted" leaves `res` untouched for
   * the caller to answer.
   */
  accept(req: IncomingMessage, res: ServerResponse, address: string): AcceptResult {
    if (this.#closed) return "closed";
    // The per-address share first: a host at its share is told so even when the hub is full too.
    if (this.clientsFrom(address) >= this.#options.maxClientsPerAddress) return "address-limit";
    if (this.#clients.size >= this.#options.maxClients) return "full";

    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // Reverse proxies (nginx) would otherwise buffer the stream and delay alarms.
      "X-Accel-Buffering": "no",
    });
    // The snapshot is written before the client joins the set, so nothing can overtake it.
    res.write(`retry: ${RECONNECT_DELAY_MS}\n\n${sseMessage("snapshot", this.#options.initial())}`);

    this.#clients.add(res);
    this.#perAddress.set(address, this.clientsFrom(address) + 1);
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      const left = this.clientsFrom(address) - 1;
      if (left > 0) this.#perAddress.set(address, left);
      else this.#perAddress.delete(address);
    };
    res.once("close", () => {
      release();
      this.#remove(res);
    });
    if (this.#clients.size === 1) this.#startFeeding();
    this.#options.log.debug({ clients: this.#clients.size }, "live client connected");
    return "accepted";
  }

  /** End every stream and stop all timers. Browsers will try to reconnect and find the server gone. */
  close(): void {
    this.#closed = true;
    for (const res of this.#clients) res.end();
    this.#clients.clear();
    this.#perAddress.clear();
    this.#stopFeeding();
  }

  #remove(res: ServerResponse): void {
    if (!this.#clients.delete(res)) return;
    if (this.#clients.size === 0) this.#stopFeeding();
    this.#options.log.debug({ clients: this.#clients.size }, "live client disconnected");
  }

  #startFeeding(): void {
    this.#unsubscribe = this.#options.subscribe((out) => this.#onOutput(out));
    this.#heartbeat = setInterval(() => this.#broadcast(": heartbeat\n\n"), this.#options.heartbeatMs);
    this.#flush = setInterval(() => this.#flushSignals(), this.#options.signalThrottleMs);
    this.#heartbeat.unref();
    this.#flush.unref();
  }

  #stopFeeding(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearInterval(this.#heartbeat);
    clearInterval(this.#flush);
    this.#heartbeat = undefined;
    this.#flush = undefined;
    // Values buffered for nobody would be stale by the time someone connects (they get a snapshot).
    this.#coalescer.drain();
  }

  #onOutput(out: PipelineOutput): void {
    // This runs inside the pipeline's delivery loop: a fault here must never reach the pipeline.
    try {
      // Events first: a consumer reads "alarm raised", then the state that results from it.
      for (const event of out.events) this.#broadcast(sseMessage("event", event));
      for (const snapshot of out.snapshots) this.#broadcast(sseMessage("state", snapshot));
      this.#coalescer.add(out.observations);
    } catch (err) {
      this.#options.log.error({ err }, "live view could not forward pipeline output");
    }
  }

  #flushSignals(): void {
    if (this.#coalescer.size === 0) return;
    let chunk = "";
    for (const update of this.#coalescer.drain()) chunk += sseMessage("signals", update);
    this.#broadcast(chunk);
  }

  #broadcast(chunk: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > this.#options.maxBufferedBytes) {
        this.#options.log.warn({ buffered: res.writableLength }, "live client too slow; dropping it");
        this.#remove(res);
        res.destroy();
        continue;
      }
      res.write(chunk);
    }
  }
}
