import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { ObservationFilter } from "./agent-buffer.ts";
import type { SimDevice } from "./device-model.ts";
import { type AgentInfo, assetsXml, errorXml, probeXml, streamsXml } from "./documents.ts";
import { type FaultKind, type FaultPlan, HTML_PAGE, MALFORMED_XML } from "./faults.ts";
import { pathFilter, XPathError } from "./path-filter.ts";
import { SampleStream } from "./sample-stream.ts";

// The agent's REST interface: /probe, /current, /sample (plain or streaming
// with interval/heartbeat), /asset; each optionally below a device name
// (/mill-2/current) and with ?path=. Errors are MTConnectError documents, as
// from cppagent: schema 1.x answers them with HTTP 200, 2.x with 400/404.

export type AgentServerOptions = {
  devices: readonly SimDevice[];
  info: () => AgentInfo;
  faults: FaultPlan;
  log: Logger;
};

type Reply = { status: number; body: string };

class RequestError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const STREAM_START_FAULTS: readonly FaultKind[] = ["status500", "status404", "wrongContentType", "malformed"];

function intParam(q: URLSearchParams, name: string, fallback: number | undefined): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return fallback;
  if (!/^\d+$/.test(v))
    throw new RequestError("INVALID_REQUEST", 400, `'${name}' must be a non-negative integer`);
  return Number(v);
}

export class AgentHttpServer {
  private readonly o: AgentServerOptions;
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly streams = new Set<SampleStream>();

  constructor(o: AgentServerOptions) {
    this.o = o;
    this.server = createServer({ noDelay: true }, (req, res) => this.handle(req, res));
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.once("close", () => this.sockets.delete(s));
    });
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        const addr = this.server.address();
        resolve(typeof addr === "object" && addr ? addr.port : port);
      });
    });
  }

  /** End every open /sample stream (agent restart). */
  closeStreams(): void {
    for (const s of this.streams) s.close();
    this.streams.clear();
  }

  /** Reset every TCP connection, as a pulled cable or a crashed agent would. */
  cutConnections(): void {
    this.streams.clear();
    for (const s of this.sockets) s.resetAndDestroy();
  }

  async close(): Promise<void> {
    this.closeStreams();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.route(req, res);
    } catch (e) {
      const info = this.o.info();
      const err =
        e instanceof RequestError
          ? e
          : e instanceof XPathError
            ? new RequestError("INVALID_XPATH", 400, e.message)
            : new RequestError("INTERNAL_ERROR", 500, (e as Error).message);
      this.reply(res, this.errorReply(info, err), undefined);
    }
  }

  private errorReply(info: AgentInfo, e: RequestError): Reply {
    return { status: info.schema === "1.3" ? 200 : e.status, body: errorXml(info, e.code, e.message) };
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://agent");
    const parts = url.pathname.split("/").filter(Boolean);
    if (parts.length > 2) throw new RequestError("INVALID_URI", 404, `no such resource: ${url.pathname}`);
    let devices = this.o.devices;
    if (parts.length === 2) {
      const d = devices.find((x) => x.name === parts[0] || x.uuid === parts[0]);
      if (!d) throw new RequestError("NO_DEVICE", 404, `no device named ${parts[0]}`);
      devices = [d];
    }
    const request = parts.at(-1) ?? "probe";
    const q = url.searchParams;
    const info = this.o.info();
    const path = pathFilter(q.get("path"));
    const scoped: ObservationFilter | undefined =
      devices.length === this.o.devices.length
        ? path
        : (d, i) => devices.includes(d) && (!path || path(d, i));
    switch (request) {
      case "probe":
        this.reply(res, { status: 200, body: probeXml(info, devices) }, this.o.faults.take("probe"));
        return;
      case "current":
        this.reply(
          res,
          { status: 200, body: streamsXml(info, devices, info.buffer.current(scoped)) },
          this.o.faults.take("current"),
        );
        return;
      case "sample":
        this.sample(res, q, info, devices, scoped);
        return;
      case "asset":
      case "assets":
        this.reply(res, { status: 200, body: assetsXml(info) }, undefined);
        return;
      default:
        throw new RequestError("INVALID_URI", 404, `no such request: ${request}`);
    }
  }

  private sample(
    res: ServerResponse,
    q: URLSearchParams,
    info: AgentInfo,
    devices: readonly SimDevice[],
    filter: ObservationFilter | undefined,
  ): void {
    const b = info.buffer;
    const from = intParam(q, "from", b.firstSequence)!;
    const count = intParam(q, "count", 100)!;
    const interval = intParam(q, "interval", undefined);
    const heartbeat = intParam(q, "heartbeat", 10_000)!;
    if (count < 1) throw new RequestError("INVALID_REQUEST", 400, "'count' must be at least 1");
    if (from < b.firstSequence || from > b.nextSequence) {
      throw new RequestError(
        "OUT_OF_RANGE",
        404,
        `'from' must be in ${b.firstSequence}..${b.nextSequence}, got ${from}`,
      );
    }
    if (interval === undefined) {
      const { observations, next } = b.range(from, count, filter);
      const body = streamsXml(info, devices, observations, next);
      this.reply(res, { status: 200, body }, this.o.faults.take("sample"));
      return;
    }
    const fault = this.o.faults.take("sample", STREAM_START_FAULTS);
    if (fault) {
      this.reply(res, { status: 200, body: "" }, fault);
      return;
    }
    const boundary = `maskinport${Math.random().toString(16).slice(2)}`;
    const type = info.schema === "1.3" ? "multipart/x-mixed-replace" : "multipart/mixed";
    res.writeHead(200, {
      "Content-Type": `${type};boundary=${boundary}`,
      "Cache-Control": "private, max-age=0",
      Connection: "close",
    });
    res.flushHeaders(); // the client learns at once that it streams, whatever comes first
    const stream = new SampleStream({
      info: this.o.info,
      devices,
      res,
      boundary,
      from,
      count,
      intervalMs: interval,
      heartbeatMs: Math.max(10, heartbeat),
      filter,
      faults: this.o.faults,
    });
    this.streams.add(stream);
    res.once("close", () => this.streams.delete(stream));
  }

  /** Send a reply, or the fault planned for it instead. */
  private reply(res: ServerResponse, r: Reply, fault: FaultKind | undefined): void {
    const xml = (status: number, body: string | Buffer, extra: Record<string, string | number> = {}) => {
      res.writeHead(status, { "Content-Type": "text/xml; charset=UTF-8", ...extra });
      res.end(body);
    };
    switch (fault) {
      case "status500":
        res.writeHead(500, { "Content-Type": "text/plain" }).end("Internal Server Error\n");
        return;
      case "status404":
        res.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found\n");
        return;
      case "wrongContentType":
        res.writeHead(200, { "Content-Type": "text/html; charset=UTF-8" }).end(HTML_PAGE);
        return;
      case "malformed":
        xml(200, MALFORMED_XML);
        return;
      case "huge": {
        const pad = `<!-- ${"x".repeat(this.o.faults.hugeBytes)} -->`;
        xml(
          200,
          r.body.replace(/<\/[^<]+>\s*$/, (end) => pad + end),
        );
        return;
      }
      case "truncated": {
        const body = Buffer.from(r.body);
        res.writeHead(r.status, { "Content-Type": "text/xml; charset=UTF-8", "Content-Length": body.length });
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        return;
      }
      default:
        xml(r.status, r.body, { "Content-Length": Buffer.byteLength(r.body) });
        return;
    }
  }
}
