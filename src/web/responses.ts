import type { FastifyReply } from "fastify";

/** The one error shape of the HTTP API, plus whatever a route adds (e.g. `issues`). */
export type ErrorBody = { error: string; message: string } & Record<string, unknown>;

/**
 * An answer that is not a success, thrown from a hook or handler and sent by
 * the app's error handler as `{ error, message, ...extra }`. Guards throw it
 * so a route never has to check "was I allowed?" itself.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly error: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    error: string,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.statusCode = statusCode;
    this.error = error;
    this.extra = extra;
    this.headers = headers;
  }

  get body(): ErrorBody {
    return { error: this.error, message: this.message, ...this.extra };
  }
}

/** JSON that no cache may keep: it is the machines' state now, or someone's session. */
export function sendJson(
  reply: FastifyReply,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply
    .code(status)
    .headers({ "Cache-Control": "no-store", ...headers })
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(body));
}

/**
 * The one error shape of the HTTP API: a stable machine-readable `error`
 * code and a `message` a person can act on. Never a stack trace.
 */
export function sendError(
  reply: FastifyReply,
  status: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): FastifyReply {
  return sendJson(reply, status, { error, message, ...extra }, headers);
}
