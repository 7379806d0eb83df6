import type { FastifyInstance } from "fastify";
import type { AccessControl } from "../../auth/access.ts";
import { HttpError, sendJson } from "../../responses.ts";
import type { DncApiDeps } from "./ports.ts";

/**
 * The asking user's own programs: everything they uploaded, kept in
 * `trainee/<userId>` (start-transfer-route.ts saves each upload there).
 * Only one's own folder is ever read, so there is nothing to check beyond the login.
 *
 * `GET /api/dnc/library` → `{ folder, programs: [{ name, versions: [...] }] }`, newest version first.
 * `GET /api/dnc/library/:name/:hash` → `{ version: { name, hash, bytes, lines, createdAt, program } }`:
 * one version's text, to load back into the editor and send again; 404 `unknown_version`.
 */
/** Where start-transfer-route.ts saves a user's uploads (checked by the library when used: it may refuse an id). */
const ownFolder = (userId: string) => `trainee/${userId}`;

export function libraryRoutes(app: FastifyInstance, access: AccessControl, deps: DncApiDeps): void {
  app.get("/api/dnc/library", { onRequest: access.requireLogin }, (request, reply) => {
    const folder = ownFolder(access.sessionOf(request).userId);
    let names: string[];
    try {
      names = deps.library.list(folder).map((v) => v.name);
    } catch {
      names = []; // an id the library cannot use as a folder has no programs
    }
    const programs = names.map((name) => ({
      name,
      versions: deps.library.history(folder, name).map((v) => ({
        hash: v.hash,
        bytes: v.bytes,
        lines: v.lines,
        programNumber: v.programNumber,
        createdAt: v.createdAt,
        source: v.source,
      })),
    }));
    return sendJson(reply, 200, { folder, programs });
  });

  app.get<{ Params: { name: string; hash: string } }>(
    "/api/dnc/library/:name/:hash",
    { onRequest: access.requireLogin },
    (request, reply) => {
      const folder = ownFolder(access.sessionOf(request).userId);
      const { name, hash } = request.params;
      let version: ReturnType<DncApiDeps["library"]["get"]>;
      try {
        version = deps.library.get(folder, name, hash);
      } catch {
        version = undefined; // a name or folder the library refuses holds nothing
      }
      if (version === undefined) {
        throw new HttpError(
          404,
          "unknown_version",
          `no version ${JSON.stringify(hash.slice(0, 80))} of ${JSON.stringify(name.slice(0, 80))} among your programs; GET /api/dnc/library lists them`,
        );
      }
      return sendJson(reply, 200, {
        version: {
          name: version.name,
          hash: version.hash,
          bytes: version.bytes,
          lines: version.lines,
          createdAt: version.createdAt,
          // The library keeps bytes; uploads arrive as text and are stored as latin1 (ProgramLibrary.save).
          program: version.content.toString("latin1"),
        },
      });
    },
  );
}
