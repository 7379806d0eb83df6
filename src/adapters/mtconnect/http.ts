import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { StringDecoder } from "node:string_decoder";
import {
  type MtAgentError,
  type MtHeader,
  MtXmlError,
  StreamsParser,
  type StreamsResult,
} from "./streams-parser.ts";

// The HTTP side of talking to an agent: one GET, its status and content type
// checked, its body either collected (for /probe) or fed piecewise into a
// streams parser (for /current and polled /sample) — never both, and never
// beyond maxDocumentBytes. Every failure is an AgentHttpError whose message
// names the URL and what was wrong, for the log line an operator reads.

export class AgentHttpError extends Error {
  readonly status: number | undefined;
  /** The agent answered, but wrongly (status, content type, size) — as opposed to an unreachable agent. */
  readonly badInput: boolean;
  constructor(message: string, options: { status?: number; badInput?: boolean } = {}) {
    super(message);
    this.name = "AgentHttpError";
    this.status = options.status;
    this.badInput = options.badInput ?? options.status !== undefined;
  }
}

/** The agent answered with an MTConnectError document (OUT_OF_RANGE, NO_DEVICE, …). */
export class AgentErrorResponse extends Error {
  readonly errors: MtAgentError[];
  readonly instanceId: string | undefined;
  /** The oldest sequence the agent still has, when its header says. */
  readonly firstSequence: number | undefined;
  constructor(url: string, errors: MtAgentError[], header: MtHeader | undefined) {
    super(
      `agent error from ${url}: ${errors.map((e) => `${e.code}${e.message ? ` (${e.message})` : ""}`).join(", ")}`,
    );
    this.name = "AgentErrorResponse";
    this.errors = errors;
    this.instanceId = header?.instanceId;
    this.firstSequence = header?.firstSequence;
  }
  has(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

export type OpenResponse = { req: ClientRequest; res: IncomingMessage };

/** GET `url`; resolves once the response headers are in. `timeoutMs` bounds the wait for them. */
export function agentGet(url: string, timeoutMs: number, signal: AbortSignal): Promise<OpenResponse> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith("https:") ? httpsRequest : httpRequest;
    let req: ClientRequest;
    try {
      req = request(url, {
        method: "GET",
        headers: { Accept: "application/xml, text/xml;q=0.9, */*;q=0.1", Connection: "close" },
        signal,
      });
    } catch (e) {
      reject(new AgentHttpError(`GET ${url}: ${(e as Error).message}`));
      return;
    }
    const timer = setTimeout(() => {
      req.destroy(new AgentHttpError(`GET ${url}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.once("response", (res) => {
      clearTimeout(timer);
      // From here on the response reports failures ('error' / 'close' on res); a late
      // socket error on the request must not become an unhandled 'error' event.
      req.on("error", () => {});
      resolve({ req, res });
    });
    req.once("error", (e) => {
      clearTimeout(timer);
      reject(e instanceof AgentHttpError ? e : new AgentHttpError(`GET ${url}: ${e.message}`));
    });
    req.end();
  });
}

/** Node reports a response cut short as error "aborted"; say what it means. */
export function cutMessage(e: Error | undefined, bytes: number): string {
  return !e || e.message === "aborted" ? `connection closed mid-document after ${bytes} bytes` : e.message;
}

export function isXmlType(contentType: string | undefined): boolean {
  return !!contentType && /^\s*(text|application)\/([a-z0-9.+-]*\+)?xml\s*(;|$)/i.test(contentType);
}

/** Read a whole body as text, refusing more than `maxBytes`. */
export function readBody(res: IncomingMessage, url: string, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        reject(
          new AgentHttpError(
            `GET ${url}: document larger than ${maxBytes} bytes (maxDocumentBytes); not read`,
            {
              badInput: true,
            },
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    res.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.once("error", (e) => reject(new AgentHttpError(`GET ${url}: ${cutMessage(e, size)}`)));
    res.once("close", () => {
      if (!res.complete) reject(new AgentHttpError(`GET ${url}: ${cutMessage(undefined, size)}`));
    });
  });
}

/**
 * Feed a response body into `parser` as it arrives. Resolves with the parse
 * result; rejects with MtXmlError / AgentHttpError. A declared or actual size
 * over `maxBytes` is refused before it fills memory.
 */
export function parseBody(
  res: IncomingMessage,
  url: string,
  parser: StreamsParser,
  maxBytes: number,
): Promise<StreamsResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers["content-length"] ?? Number.NaN);
    if (declared > maxBytes) {
      res.destroy();
      reject(
        new AgentHttpError(
          `GET ${url}: document of ${declared} bytes exceeds maxDocumentBytes (${maxBytes})`,
          {
            badInput: true,
          },
        ),
      );
      return;
    }
    const decoder = new StringDecoder("utf8");
    let size = 0;
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      res.destroy();
      reject(e instanceof MtXmlError ? new MtXmlError(`GET ${url}: ${e.message}`) : e);
    };
    res.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        fail(
          new AgentHttpError(
            `GET ${url}: document larger than ${maxBytes} bytes (maxDocumentBytes); not read`,
            {
              badInput: true,
            },
          ),
        );
        return;
      }
      try {
        parser.write(decoder.write(chunk));
      } catch (e) {
        fail(e);
      }
    });
    res.once("end", () => {
      if (failed) return;
      try {
        parser.write(decoder.end());
        resolve(parser.end());
      } catch (e) {
        fail(e);
      }
    });
    res.once("error", (e) => fail(new AgentHttpError(`GET ${url}: ${cutMessage(e, size)}`)));
    res.once("close", () => {
      if (!res.complete) fail(new AgentHttpError(`GET ${url}: ${cutMessage(undefined, size)}`));
    });
  });
}

/**
 * A non-2xx answer: an MTConnectError document if the agent sent one
 * (cppagent answers OUT_OF_RANGE and NO_DEVICE this way), else a plain HTTP error.
 */
export async function errorForStatus(res: IncomingMessage, url: string): Promise<Error> {
  const status = res.statusCode ?? 0;
  const plain = new AgentHttpError(`GET ${url}: HTTP ${status} ${res.statusMessage ?? ""}`.trim(), {
    status,
  });
  if (!isXmlType(res.headers["content-type"])) {
    res.resume();
    return plain;
  }
  try {
    const text = await readBody(res, url, 1024 * 1024);
    const parser = new StreamsParser(() => {});
    parser.write(text);
    const result = parser.end();
    if (result.kind === "error") return new AgentErrorResponse(url, result.errors, result.header);
  } catch {
    // Not an MTConnect document: the status line says enough.
  }
  return plain;
}
