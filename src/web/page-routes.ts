import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type AccessControl, type PageRefusal, PUBLIC_ACCESS } from "./auth/access.ts";
import { DEFAULT_LANGUAGE, translate } from "./i18n.ts";
import type { LivePageConfig } from "./live-page.ts";
import { renderPage } from "./live-page.ts";
import type { MachineInfo } from "./machine-routes.ts";
import { createQrSheet } from "./qr-sheet.ts";
import { sendError } from "./responses.ts";
import type { StaticAsset } from "./static-assets.ts";

/** The HTML pages: each a shell from public/ with its own module script, rendered once at start-up. */
export type Pages = {
  live: StaticAsset;
  login: StaticAsset;
  machine: StaticAsset;
  alarms: StaticAsset;
  checkin: StaticAsset;
  qr: StaticAsset;
  forbidden: StaticAsset;
  progress: StaticAsset;
  courses: StaticAsset;
  admin: StaticAsset;
};

export function renderPages(config: LivePageConfig): Pages {
  return {
    live: renderPage("live.html", config),
    login: renderPage("login.html", config),
    machine: renderPage("machine.html", config),
    alarms: renderPage("alarms.html", config),
    checkin: renderPage("checkin.html", config),
    qr: renderPage("qr.html", config),
    forbidden: renderPage("forbidden.html", config),
    progress: renderPage("progress.html", config),
    courses: renderPage("courses.html", config),
    admin: renderPage("admin.html", config),
  };
}

/**
 * The pages (`GET /`, `/login`, `/alarms`, `/machines/:id`, `/checkin/:machine`,
 * `/qr`) and their files (`GET /assets/:name`). A shell that holds no data is
 * public: its data comes from the API and the stream, which is where a login
 * is checked, and the login page must load somehow. The QR sheet holds data
 * (the machine list) and is for instructors: its page guard sends a browser
 * without a session to the login page.
 */
export function pageRoutes(
  app: FastifyInstance,
  options: {
    pages: Pages;
    assets: ReadonlyMap<string, StaticAsset>;
    access: AccessControl;
    machines: () => MachineInfo[];
  },
): void {
  const { pages, assets, access } = options;
  const shell = (page: StaticAsset) => (request: FastifyRequest, reply: FastifyReply) =>
    sendAsset(request, reply, page);

  app.get("/", PUBLIC_ACCESS, shell(pages.live));
  app.get("/login", PUBLIC_ACCESS, shell(pages.login));
  app.get("/alarms", PUBLIC_ACCESS, shell(pages.alarms));
  app.get("/machines/:id", PUBLIC_ACCESS, shell(pages.machine));
  app.get("/checkin/:machine", PUBLIC_ACCESS, shell(pages.checkin));

  const qrSheet = createQrSheet({ template: pages.qr.body.toString("utf8"), machines: options.machines });
  const forbidden = forbiddenPage(pages.forbidden.body.toString("utf8"));
  app.get(
    "/qr",
    { onRequest: access.requirePageRole(["instructor", "admin"], forbidden) },
    async (request, reply) => {
      const html = await qrSheet(`${request.protocol}://${request.host}`);
      return reply.code(200).header("Cache-Control", "no-store").type("text/html; charset=utf-8").send(html);
    },
  );

  evidencePageRoutes(app, pages, access, forbidden);

  app.get<{ Params: { name: string } }>("/assets/:name", PUBLIC_ACCESS, (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) {
      return sendError(reply, 404, "not_found", `no asset named ${JSON.stringify(request.params.name)}`);
    }
    return sendAsset(request, reply, asset);
  });
}

/**
 * The evidence and admin pages. Shells like the others (their data comes
 * from the API, which checks who may see what), but behind a page guard so a
 * browser without a session lands on the login page and a role the page is
 * not for gets the 403 page at once: a trainee opening another trainee's
 * `/trainees/<id>` sees "no access", not an empty shell. `/progress` is a
 * trainee's own; the page tells other roles where to look instead.
 */
function evidencePageRoutes(
  app: FastifyInstance,
  pages: Pages,
  access: AccessControl,
  forbidden: PageRefusal,
) {
  const page = (asset: StaticAsset) => (request: FastifyRequest, reply: FastifyReply) =>
    sendAsset(request, reply, asset);
  const anyRole = { onRequest: access.requirePageRole(["trainee", "instructor", "admin"], forbidden) };
  const staff = { onRequest: access.requirePageRole(["instructor", "admin"], forbidden) };
  app.get("/progress", anyRole, page(pages.progress));
  app.get("/trainees/:id", staff, page(pages.progress));
  app.get("/courses", staff, page(pages.courses));
  app.get("/courses/:id", staff, page(pages.courses));
  app.get("/admin", staff, page(pages.admin));
}

/** A page a role may not open: says who it is for, in the site's language, with the menu to go elsewhere. */
function forbiddenPage(template: string): PageRefusal {
  const t = (key: "role.trainee" | "role.instructor" | "role.admin") => translate(DEFAULT_LANGUAGE, key);
  return (reply, { roles, role }) => {
    const html = template
      .replace("{roles}", roles.map((r) => t(`role.${r}`)).join(" / "))
      .replace("{role}", t(`role.${role}`));
    return reply.code(403).header("Cache-Control", "no-store").type("text/html; charset=utf-8").send(html);
  };
}

/** Revalidated on every load (no-cache), so a new gateway version is picked up at once; 304 when unchanged. */
export function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: StaticAsset): FastifyReply {
  reply.header("ETag", asset.etag).header("Cache-Control", "no-cache");
  if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
  return reply.code(200).type(asset.contentType).send(asset.body);
}
