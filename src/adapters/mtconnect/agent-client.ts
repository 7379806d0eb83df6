import type { IncomingMessage } from "node:http";
import { StringDecoder } from "node:string_decoder";
import type { Logger } from "pino";
import type { IntakeControl } from "../../core/contracts.ts";
import type { Reading } from "../../core/observation.ts";
import { parseDevicesXml } from "../mtconnect-common/devices.ts";
import { bindAgent, type MachineBindingConfig } from "./bindings.ts";
import { Disconnected, ResyncNeeded } from "./errors.ts";
import {
  AgentErrorResponse,
  AgentHttpError,
  agentGet,
  errorForStatus,
  isXmlType,
  parseBody,
  readBody,
} from "./http.ts";
import { MultipartFramer, multipartBoundary } from "./multipart.ts";
import { type BoundObservation, ObservationRouter } from "./router.ts";
import { type MtHeader, StreamsParser, type StreamsResult } from "./streams-parser.ts";

// The MTConnect agent protocol for one agent URL: /probe → /current →
// /sample (a long-lived multipart stream, or polling). One call of `run`
// lasts until something goes wrong and then throws: ResyncNeeded (go again at
// once), Disconnected, or a bad-input error (see errors.ts). The adapter
// decides about waiting; this class keeps what must survive a reconnect — the
// agent's instanceId and the next sequence number — so a reconnect continues
// where the last complete document ended and loses nothing the agent still has.

export type AgentClientOptions = {
  url: string;
  machines: readonly MachineBindingConfig[];
  mode: "stream" | "poll";
  intervalMs: number;
  heartbeatMs: number;
  count: number;
  pollMs: number;
  timeoutMs: number;
  maxDocumentBytes: number;
  /** What one document may expand to (streams-parser.ts DocumentLimits). */
  maxReadingsPerDocument: number;
  maxValueBytesPerDocument: number;
};

export type AgentClientHooks = {
  emit(readings: Reading[]): void;
  /** A complete, valid document was processed (the connection works). */
  progress(info: { instanceId: string; observations: number }): void;
  log: Logger;
  /** Sinks full: stop reading the /sample stream (the agent keeps the data in its buffer). */
  intake?: IntakeControl | undefined;
};

type DocKind = "current" | "sample";

export class AgentClient {
  private readonly opts: AgentClientOptions;
  private readonly hooks: AgentClientHooks;
  router: ObservationRouter | undefined;
  instanceId: string | undefined;
  /** Next sequence to ask for; undefined = re-sync from /current first. */
  next: number | undefined;
  private needProbe = true;
  /** The agent answered a streaming request with a plain document: poll it instead. */
  private polling: boolean;
  documents = 0;
  observations = 0;
  /** Data items of the bound devices that map to no catalogue signal (from the last probe). */
  unmappedItems = 0;

  constructor(opts: AgentClientOptions, hooks: AgentClientHooks) {
    this.opts = opts;
    this.hooks = hooks;
    this.polling = opts.mode === "poll";
  }

  /**
   * The machines were reported offline (the pipeline nulled their signals):
   * re-sync from /current on reconnect so every value comes back, instead of
   * streaming on from `next`, which only carries what changed meanwhile.
   */
  resetAfterOutage(): void {
    this.router?.reset();
    this.next = undefined;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.needProbe || !this.router) await this.probe(signal);
    if (this.next === undefined) await this.current(signal);
    for (;;) {
      if (this.polling) await this.poll(signal);
      else await this.stream(signal);
    }
  }

  private async probe(signal: AbortSignal): Promise<void> {
    const url = `${this.opts.url}/probe`;
    const { res } = await agentGet(url, this.opts.timeoutMs, signal);
    await this.checkResponse(res, url);
    const xml = await readBody(res, url, this.opts.maxDocumentBytes);
    const devices = parseDevicesXml(xml);
    const bindings = bindAgent(devices, this.opts.machines, this.opts.url);
    this.unmappedItems = bindings.unmappedItems;
    if (this.router) this.router.setBindings(bindings);
    else this.router = new ObservationRouter(bindings);
    this.needProbe = false;
    this.hooks.log.info(
      { url: this.opts.url, devices: [...bindings.byDevice.keys()], unmapped: bindings.unmappedItems },
      "mtconnect probe read",
    );
  }

  private async current(signal: AbortSignal): Promise<void> {
    const url = `${this.opts.url}/current`;
    const { res } = await agentGet(url, this.opts.timeoutMs, signal);
    await this.checkResponse(res, url);
    await this.document(res, url, "current", undefined);
  }

  private async poll(signal: AbortSignal): Promise<void> {
    const url = `${this.opts.url}/sample?from=${this.next}&count=${this.opts.count}`;
    const { res } = await agentGet(url, this.opts.timeoutMs, signal);
    await this.checkResponse(res, url);
    const header = await this.document(res, url, "sample", this.next);
    const caughtUp = !header || header.lastSequence === undefined || (this.next ?? 0) > header.lastSequence;
    if (caughtUp) await sleep(this.opts.pollMs, signal);
  }

  /** Throws for a non-2xx status or a non-XML body (unless multipart is allowed). */
  private async checkResponse(res: IncomingMessage, url: string, allowMultipart = false): Promise<void> {
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw this.translate(await errorForStatus(res, url));
    const type = res.headers["content-type"];
    if (isXmlType(type) || (allowMultipart && multipartBoundary(type))) return;
    res.resume();
    throw new AgentHttpError(
      `GET ${url}: expected ${allowMultipart ? "multipart/x-mixed-replace, multipart/mixed or " : ""}XML, got content type ${type ?? "(none)"}`,
      { badInput: true },
    );
  }

  /** An MTConnectError: a restart (new instanceId) or OUT_OF_RANGE means re-sync, anything else is an error. */
  private translate(e: Error): Error {
    if (!(e instanceof AgentErrorResponse)) return e;
    if (e.instanceId && this.instanceId && e.instanceId !== this.instanceId)
      return this.instanceChanged(e.instanceId);
    if (e.has("OUT_OF_RANGE")) {
      const first = e.firstSequence;
      const lost =
        first !== undefined && this.next !== undefined && first > this.next ? first - this.next : 0;
      this.next = undefined;
      return new ResyncNeeded("out-of-range", e.message, lost);
    }
    return e;
  }

  private instanceChanged(newId: string): ResyncNeeded {
    const message = `agent ${this.opts.url} restarted: instanceId ${this.instanceId} → ${newId}`;
    this.instanceId = undefined;
    this.next = undefined;
    this.needProbe = true;
    return new ResyncNeeded("instance-changed", message);
  }

  /**
   * Parse one document (a whole response or one multipart part) and emit its
   * readings — all or nothing: a document that fails half-way emits nothing and
   * moves `next` nowhere, so the agent sends it again after the reconnect.
   */
  private newDocument(url: string, kind: DocKind, from: number | undefined) {
    const batch: BoundObservation[] = [];
    let discard: ResyncNeeded | undefined;
    /** Sequences the agent no longer had (its buffer moved past `from`). */
    let gap = 0;
    let header: MtHeader | undefined;
    const router = this.router!;
    const parser = new StreamsParser(
      (obs) => {
        if (discard || gap) return;
        const binding = router.bind(obs);
        if (binding) batch.push({ binding, obs });
      },
      (h) => {
        header = h;
        if (this.instanceId !== undefined && h.instanceId !== this.instanceId) {
          discard = this.instanceChanged(h.instanceId);
        } else if (from !== undefined && h.firstSequence !== undefined && h.firstSequence > from) {
          gap = h.firstSequence - from;
        }
      },
      {
        maxReadings: this.opts.maxReadingsPerDocument,
        maxValueBytes: this.opts.maxValueBytesPerDocument,
        source: `agent ${this.opts.url}`,
      },
    );
    const finish = (result: StreamsResult): MtHeader | undefined => {
      if (discard) throw discard;
      if (result.kind === "error")
        throw this.translate(new AgentErrorResponse(url, result.errors, result.header));
      if (gap) {
        this.next = undefined;
        throw new ResyncNeeded(
          "gap",
          `agent ${this.opts.url} dropped ${gap} observations before we read them`,
          gap,
        );
      }
      if (!header)
        throw new AgentHttpError(`GET ${url}: streams document without a Header`, { badInput: true });
      const rx = Date.now();
      const readings = kind === "current" ? router.current(batch, rx) : router.streamed(batch, rx);
      this.instanceId = header.instanceId;
      if (header.nextSequence !== undefined) this.next = header.nextSequence;
      this.documents++;
      this.observations += result.observations;
      if (readings.length > 0) this.hooks.emit(readings);
      this.hooks.progress({ instanceId: header.instanceId, observations: result.observations });
      return header;
    };
    return { parser, finish };
  }

  private async document(res: IncomingMessage, url: string, kind: DocKind, from: number | undefined) {
    const doc = this.newDocument(url, kind, from);
    return doc.finish(await parseBody(res, url, doc.parser, this.opts.maxDocumentBytes));
  }

  private async stream(signal: AbortSignal): Promise<void> {
    const o = this.opts;
    const url = `${o.url}/sample?from=${this.next}&count=${o.count}&interval=${o.intervalMs}&heartbeat=${o.heartbeatMs}`;
    const { req, res } = await agentGet(url, o.timeoutMs, signal);
    await this.checkResponse(res, url, true);
    const boundary = multipartBoundary(res.headers["content-type"]);
    if (!boundary) {
      // An error document (1.x agents send OUT_OF_RANGE with HTTP 200) throws here.
      // An agent that ignores `interval` answers one streams document: read it, then poll.
      await this.document(res, url, "sample", this.next);
      this.hooks.log.warn({ url: o.url }, "mtconnect agent does not stream /sample; polling instead");
      this.polling = true;
      return;
    }
    await new Promise<void>((_resolve, reject) => {
      let failed = false;
      let lastData = Date.now();
      const limit = 2 * o.heartbeatMs;
      const onAbort = () => fail(signal.reason);
      // While intake is paused the stream is not read; silence then is ours, not the agent's.
      const intake = this.hooks.intake;
      const stopIntake = intake?.onChange((paused) => {
        if (paused) res.pause();
        else {
          lastData = Date.now();
          res.resume();
        }
      });
      const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        stopIntake?.();
        clearInterval(watchdog);
        signal.removeEventListener("abort", onAbort);
        req.destroy();
        reject(e);
      };
      const watchdog = setInterval(
        () => {
          if (!intake?.paused && Date.now() - lastData > limit)
            fail(new Disconnected(`GET ${url}: no data and no heartbeat for ${limit} ms`));
        },
        Math.max(50, Math.min(1000, o.heartbeatMs / 2)),
      );
      let doc: ReturnType<AgentClient["newDocument"]> | undefined;
      let decoder: StringDecoder | undefined;
      const framer = new MultipartFramer(
        boundary,
        {
          partStart: (headers) => {
            const type = headers.get("content-type");
            if (type !== undefined && !isXmlType(type)) {
              throw new AgentHttpError(
                `GET ${url}: part ${framer.parts + 1} has content type ${type}, expected XML`,
                {
                  badInput: true,
                },
              );
            }
            doc = this.newDocument(url, "sample", this.next);
            decoder = new StringDecoder("utf8");
          },
          partData: (chunk) => doc!.parser.write(decoder!.write(chunk)),
          partEnd: () => {
            doc!.parser.write(decoder!.end());
            doc!.finish(doc!.parser.end());
          },
        },
        { maxPartBytes: o.maxDocumentBytes },
      );
      res.on("data", (chunk: Buffer) => {
        if (failed) return;
        lastData = Date.now();
        try {
          framer.push(chunk);
        } catch (e) {
          fail(e);
        }
      });
      if (intake?.paused) res.pause();
      res.once("end", () => {
        try {
          framer.end();
          fail(new Disconnected(`GET ${url}: agent closed the stream`));
        } catch (e) {
          fail(e);
        }
      });
      res.once("close", () => {
        if (!res.complete) {
          try {
            framer.end();
            fail(new Disconnected(`GET ${url}: connection lost`));
          } catch (e) {
            fail(e);
          }
        }
      });
      res.once("error", (e) =>
        fail(new Disconnected(`GET ${url}: ${e.message === "aborted" ? "connection lost" : e.message}`)),
      );
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
