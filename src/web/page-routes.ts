import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PUBLIC_ACCESS } from "./auth/access.ts";
import { sendError } from "./responses.ts";
import type { StaticAsset } from "./static-assets.ts";

/**
 * The page shell (`GET /`) and its files (`GET /assets/:name`). Always
 * public: the shell holds no data (that comes from the API and the stream,
 * which is where a login is checked), and a login page must load somehow.
 */
export function pageRoutes(
  app: FastifyInstance,
  options: { page: StaticAsset; assets: ReadonlyMap<string, StaticAsset> },
): void {
  const { page, assets } = options;

  app.get("/", PUBLIC_ACCESS, (request, reply) => sendAsset(request, reply, page));

  app.get<{ Params: { name: string } }>("/assets/:name", PUBLIC_ACCESS, (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) {
      return sendError(reply, 404, "not_found", `no asset named ${JSON.stringify(request.params.name)}`);
    }
    return sendAsset(request, reply, asset);
  });
}

/** Revalidated on every load (no-cache), so a new gateway version is picked up at once; 304 when unchanged. */
export function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: StaticAsset): FastifyReply {
  reply.header("ETag", asset.etag).header("Cache-Control", "no-cache");
  if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
  return reply.code(200).type(asset.contentType).send(asset.body);
}
