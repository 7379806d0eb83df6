import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { storeUnavailable } from "../training/store/store-unavailable.ts";
import { HttpError, sendError } from "./responses.ts";

/** What a 503 for an unreachable store asks the browser to wait (a PostgreSQL restart). */
const STORE_RETRY_AFTER_S = 30;

/**
 * Every failure becomes `{ error, message }`. Our own HttpErrors say what
 * they mean; fastify's client errors (bad JSON, wrong content type, too
 * large) get a stable code; a store that cannot be reached just now is a
 * 503 with Retry-After; anything else is a 500 with a plain sentence, the
 * stack going to the log only.
 */
export function errorHandler(log: Logger) {
  return (err: FastifyError | HttpError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (err instanceof HttpError) {
      return sendError(reply, err.statusCode, err.error, err.message, err.extra, err.headers);
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendClientError(reply, err, status);
    if (storeUnavailable(err)) {
      // The site's PostgreSQL is down or the network to it dropped: nothing is wrong with the
      // request, and the same request will work again. The log says which store and why.
      log.warn(
        { err, method: request.method, route: request.routeOptions.url ?? "unmatched" },
        "web request: store unavailable",
      );
      return sendError(
        reply,
        503,
        "store_unavailable",
        "the gateway cannot reach its database just now; try again in a minute",
        {},
        { "retry-after": String(STORE_RETRY_AFTER_S) },
      );
    }
    log.error(
      { err, method: request.method, route: request.routeOptions.url ?? "unmatched" },
      "web request failed",
    );
    return internalError(reply);
  };
}

export function internalError(reply: FastifyReply): FastifyReply {
  return sendError(
    reply,
    500,
    "internal_error",
    "the gateway could not answer this request; the gateway log has details",
  );
}

function sendClientError(reply: FastifyReply, err: FastifyError, status: number): FastifyReply {
  switch (err.code) {
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY": {
      // The same shape as a body that parsed but failed validation, so a form handles both alike.
      // Fastify's parser refuses prototype keys with this same error code, so the message names them.
      const message =
        "not valid JSON, or it has a __proto__ or constructor.prototype key (refused); send a JSON object (Content-Type: application/json)";
      return sendError(reply, 400, "bad_body", `body: ${message}`, { issues: [{ field: "body", message }] });
    }
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return sendError(
        reply,
        415,
        "unsupported_media_type",
        "send the body as JSON (Content-Type: application/json)",
      );
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return sendError(reply, 413, "body_too_large", err.message);
    default:
      return sendError(reply, status, "bad_request", err.message);
  }
}
