import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AccessControl } from "./auth/access.ts";
import type { Role } from "./auth/roles.ts";
import { parseBody } from "./request-body.ts";
import { HttpError, sendJson } from "./responses.ts";

/**
 * An instructor's acknowledgement of an alarm: who, when, and a note ("told
 * Ola to clear the chips; door switch OK"). Kept in memory, newest last, the
 * last `limit`: it is a note for the people in the room today, not a record
 * (the alarm itself is in the time-series store).
 */
export type AlarmAck = { machine: string; code: string; note: string; by: string; at: number };

export class AlarmAckLog {
  readonly #acks: AlarmAck[] = [];
  readonly #limit: number;

  constructor(limit = 1000) {
    this.#limit = limit;
  }

  add(ack: AlarmAck): AlarmAck {
    this.#acks.push(ack);
    if (this.#acks.length > this.#limit) this.#acks.splice(0, this.#acks.length - this.#limit);
    return ack;
  }

  /** Newest first. */
  list(): AlarmAck[] {
    return [...this.#acks].reverse();
  }
}

const ACK_BODY = z
  .object({
    machine: z.string().min(1, "must not be empty").max(100, "at most 100 characters"),
    code: z.string().min(1, "must not be empty").max(100, "at most 100 characters"),
    note: z
      .string()
      .trim()
      .min(1, "write what was done or seen; an acknowledgement needs a note")
      .max(500, "at most 500 characters"),
  })
  .strict();

const SEES_NAMES: readonly Role[] = ["instructor", "admin"];

/**
 * `POST /api/alarms/ack` (instructors and admins, CSRF) and
 * `GET /api/alarms/acks` (any login; the name of who acknowledged only for
 * instructors and admins, like every name in the API).
 */
export function alarmAckRoutes(
  app: FastifyInstance,
  options: {
    access: AccessControl;
    log: AlarmAckLog;
    machineIds: () => readonly string[];
    /** The display name of a user, when the user store knows it; else the user id is shown. */
    nameOf?: (userId: string) => Promise<string | undefined>;
    now: () => number;
  },
): void {
  const { access, log } = options;
  const view = async (ack: AlarmAck, viewerRole: Role) => ({
    machine: ack.machine,
    code: ack.code,
    note: ack.note,
    at: ack.at,
    by: SEES_NAMES.includes(viewerRole)
      ? { id: ack.by, name: (await options.nameOf?.(ack.by)) ?? ack.by }
      : null,
  });

  app.post(
    "/api/alarms/ack",
    { onRequest: access.requireRole("instructor", "admin") },
    async (request, reply) => {
      const session = access.sessionOf(request);
      const body = parseBody(ACK_BODY, request.body);
      if (!options.machineIds().includes(body.machine)) {
        throw new HttpError(
          400,
          "bad_body",
          `machine: no machine "${body.machine.slice(0, 100)}" on this gateway`,
          {
            issues: [{ field: "machine", message: "unknown machine; GET /api/machines lists the ids" }],
          },
        );
      }
      const ack = log.add({ ...body, by: session.userId, at: options.now() });
      return sendJson(reply, 200, { ack: await view(ack, session.role) });
    },
  );

  app.get("/api/alarms/acks", { onRequest: access.requireLogin }, async (request, reply) => {
    const { role } = access.sessionOf(request);
    return sendJson(reply, 200, { acks: await Promise.all(log.list().map((ack) => view(ack, role))) });
  });
}
