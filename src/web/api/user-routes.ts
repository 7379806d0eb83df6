import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { displayNameSchema, newUserSchema, roleSchema } from "../../training/people/user-input.ts";
import type { User } from "../../training/store/types.ts";
import type { AccessControl } from "../auth/access.ts";
import { parseBody } from "../request-body.ts";
import { HttpError, sendJson } from "../responses.ts";
import { asHttp, notFound } from "./api-errors.ts";
import type { TrainingApiDeps } from "./deps.ts";
import { coursesTaughtBy, type Viewer } from "./viewer.ts";

// People: instructors list the trainees of their courses; admins list,
// create and change everyone. A change that alters what a user may do
// (disabled, new role) ends their web sessions at once, since a session
// carries the role it logged in with.

const NEW_USER_BODY = newUserSchema
  .extend({
    /** Left out: the gateway generates one and answers it once. */
    password: z.string({ error: "expected a password" }).max(1024, "at most 1024 characters").optional(),
  })
  .strict();

const PATCH_USER_BODY = z
  .object({
    displayName: displayNameSchema.optional(),
    role: roleSchema.optional(),
    disabled: z.boolean({ error: "expected true or false" }).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, "send at least one of displayName, role, disabled");

type UserParams = { Params: { id: string } };

/** What an admin sees of a user. */
function adminView(u: User) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    role: u.role,
    badge: u.badge,
    disabled: u.disabled,
    createdAt: u.createdAt,
  };
}

/** What an instructor sees of a trainee: enough to find and assign them, no contact data. */
function instructorView(u: User) {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, disabled: u.disabled };
}

export function userRoutes(app: FastifyInstance, access: AccessControl, deps: TrainingApiDeps): void {
  const { users, courses, sessions, log } = deps;

  app.get("/api/users", { onRequest: access.requireRole("instructor", "admin") }, async (request, reply) => {
    const viewer = access.sessionOf(request);
    if (viewer.role === "admin") {
      const all = await users.list({ includeDisabled: true });
      return sendJson(reply, 200, { users: all.map(adminView) });
    }
    return sendJson(reply, 200, { users: (await traineesOf(viewer)).map(instructorView) });
  });

  app.post("/api/users", { onRequest: access.requireRole("admin") }, async (request, reply) => {
    const { password, ...input } = parseBody(NEW_USER_BODY, request.body);
    const { user, generatedPassword } = await asHttp(() => users.add(input, password));
    log.info({ event: "api.user.added", user: user.id, by: access.sessionOf(request).userId }, "user added");
    // The generated password is shown once, here; it is stored only as a hash.
    return sendJson(reply, 201, {
      user: adminView(user),
      ...(generatedPassword ? { generatedPassword } : {}),
    });
  });

  app.patch<UserParams>(
    "/api/users/:id",
    { onRequest: access.requireRole("admin") },
    async (request, reply) => {
      const viewer = access.sessionOf(request);
      const patch = parseBody(PATCH_USER_BODY, request.body);
      const id = request.params.id;
      const before = await users.get(id);
      if (before === undefined)
        throw notFound(`no user "${id.slice(0, 64)}"`, "see GET /api/users for the ids");
      const roleChanges = patch.role !== undefined && patch.role !== before.role;
      // An admin changing their own role can only be stepping down (they are admin now).
      if (id === viewer.userId && (patch.disabled === true || roleChanges)) {
        throw new HttpError(
          409,
          "self_lockout",
          "you cannot disable yourself or give up your own admin role; ask another admin",
        );
      }
      const { disabled, ...fields } = patch;
      if (Object.keys(fields).length > 0) await asHttp(() => users.update(id, fields));
      if (disabled !== undefined) await users.setDisabled(id, disabled);
      if (disabled === true || roleChanges) {
        // What they may do changed: end their web sessions and, if they were at a machine, that session too.
        await access.sessions.destroyUser(id);
        await sessions.endForUser(id, disabled === true ? "disabled" : "checkout", viewer.userId);
      }
      log.info(
        { event: "api.user.changed", user: id, by: viewer.userId, fields: Object.keys(patch) },
        "user changed",
      );
      return sendJson(reply, 200, { user: adminView((await users.get(id))!) });
    },
  );

  /** The trainees of every course an instructor teaches, each once, by name. */
  async function traineesOf(viewer: Viewer): Promise<User[]> {
    const byId = new Map<string, User>();
    for (const courseId of await coursesTaughtBy(courses, viewer.userId)) {
      for (const t of (await courses.roster(courseId))?.trainees ?? []) byId.set(t.id, t);
    }
    return [...byId.values()].sort((a, b) => a.displayName.localeCompare(b.displayName, "nb"));
  }
}
