import type { FastifyInstance } from "fastify";
import type { AccessControl } from "../../auth/access.ts";
import { HttpError, sendJson } from "../../responses.ts";
import { assertMayTouch } from "./access-rules.ts";
import type { ProgressStreams } from "./progress-stream.ts";
import { TRANSFER_PARAMS } from "./schemas.ts";
import { isEnded, type TransferView, type WebTransfers } from "./transfer-registry.ts";

/** How long DELETE waits for the engine to confirm a cancel before answering with the state it has. */
const CANCEL_WAIT_MS = 2000;

/**
 * One transfer by id: `GET` its progress, `GET …/events` the same live
 * (SSE), `DELETE` cancels it. The one who started it or staff; others 403.
 */
export function transferRoutes(
  app: FastifyInstance,
  access: AccessControl,
  options: { transfers: WebTransfers; streams: ProgressStreams },
): void {
  const { transfers, streams } = options;

  const find = (params: unknown, session: ReturnType<AccessControl["sessionOf"]>) => {
    const parsed = TRANSFER_PARAMS.safeParse(params);
    const found = parsed.success ? transfers.get(parsed.data.id) : undefined;
    if (found === undefined) {
      throw new HttpError(
        404,
        "unknown_transfer",
        "no such transfer (finished ones are kept for an hour); GET /api/dnc/transfers lists yours",
      );
    }
    assertMayTouch(session, found.owner);
    return found.view;
  };

  app.get("/api/dnc/transfers/:id", { onRequest: access.requireLogin }, (request, reply) => {
    const view = find(request.params, access.sessionOf(request));
    return sendJson(reply, 200, { transfer: view });
  });

  app.get("/api/dnc/transfers/:id/events", { onRequest: access.requireLogin }, (request, reply) => {
    const view = find(request.params, access.sessionOf(request));
    if (request.method === "HEAD") return reply.code(200).type("text/event-stream; charset=utf-8").send("");
    reply.hijack();
    streams.follow(view.id, request.raw, reply.raw);
    return undefined;
  });

  app.delete("/api/dnc/transfers/:id", { onRequest: access.requireLogin }, async (request, reply) => {
    const view = find(request.params, access.sessionOf(request));
    if (isEnded(view.state)) {
      throw new HttpError(409, "already_ended", `this transfer has already ended (${view.state})`, {
        transfer: view,
      });
    }
    transfers.cancel(view.id);
    const ended = await endOf(transfers, view.id, CANCEL_WAIT_MS);
    return sendJson(reply, 200, { transfer: ended ?? transfers.get(view.id)?.view ?? view });
  });
}

/** The transfer's final view once it has ended, or undefined after `ms`. */
function endOf(transfers: WebTransfers, id: string, ms: number): Promise<TransferView | undefined> {
  return new Promise((resolve) => {
    const current = transfers.get(id)?.view;
    if (current && isEnded(current.state)) return resolve(current);
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(undefined);
    }, ms);
    const unsubscribe = transfers.subscribe(id, (view) => {
      if (!isEnded(view.state)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(view);
    });
  });
}
