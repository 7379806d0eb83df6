import { z } from "zod";

// The check-in command a badge reader or a tablet at the machine publishes on
// `<prefix>/<machine>/cmd/checkin`, and the reply on `<prefix>/<machine>/cmd/reply`.
// Documented in src/training/README.md; extend, never rename.
//
//   { "v": 1, "reader": "hall-a", "token": "…", "badge": "04A1B2C3",
//     "action": "checkin", "requestId": "r-17" }
//
// Exactly one of `badge` (a card id, looked up in users.badge) or `user` (an
// opaque user id, e.g. from a tablet where the trainee logged in). Never a
// username or name: MQTT payloads are readable by anyone on the broker.

export const MAX_COMMAND_BYTES = 4096;

const requestIdSchema = z.string().min(1).max(64);

export const checkinCommandSchema = z
  .object({
    v: z.literal(1, { error: "expected v: 1" }),
    reader: z.string().min(1).max(64),
    token: z.string().min(1).max(512),
    action: z.enum(["checkin", "checkout"], { error: 'expected action "checkin" or "checkout"' }),
    badge: z.string().min(1).max(64).optional(),
    user: z.string().min(1).max(64).optional(),
    requestId: requestIdSchema.optional(),
  })
  .strict()
  .refine((c) => (c.badge === undefined) !== (c.user === undefined), {
    message: "expected exactly one of badge or user",
  });

export type CheckinCommand = z.infer<typeof checkinCommandSchema>;

export const CHECKIN_ERRORS = [
  "too-large",
  "bad-json",
  "bad-command",
  "unauthorized",
  "reader-not-allowed",
  "unknown-machine",
  "unknown-badge",
  "unknown-user",
  "user-disabled",
  "not-a-trainee",
  "occupied",
  "not-checked-in",
  "internal",
] as const;
export type CheckinError = (typeof CHECKIN_ERRORS)[number];

/** Replies carry ids, pseudonyms and times only: never a name, username, e-mail or badge. */
export type CheckinReply =
  | {
      v: 1;
      ok: true;
      action: "checkin" | "checkout";
      machine: string;
      session: string;
      pseudonym: string;
      /** checkin: since when the trainee holds the machine; checkout: when it ended. */
      at: number;
      /** checkin only: the trainee was already checked in here. */
      already?: boolean;
      requestId?: string;
    }
  | {
      v: 1;
      ok: false;
      error: CheckinError;
      reason: string;
      /** occupied: since when, and the holder's pseudonym. */
      since?: number;
      holder?: string;
      requestId?: string;
    };

export type ParsedCommand = { ok: true; command: CheckinCommand } | { ok: false; reply: CheckinReply };

/** Bytes → command, or the reply that explains what is wrong (with the requestId when one can be read). */
export function parseCheckinCommand(payload: Buffer): ParsedCommand {
  if (payload.length > MAX_COMMAND_BYTES) {
    return fail("too-large", `command is ${payload.length} bytes; at most ${MAX_COMMAND_BYTES} are accepted`);
  }
  let data: unknown;
  try {
    data = JSON.parse(payload.toString("utf8"));
  } catch {
    return fail("bad-json", "payload is not JSON");
  }
  const requestId =
    data !== null && typeof data === "object" && "requestId" in data
      ? requestIdSchema.safeParse((data as { requestId: unknown }).requestId).data
      : undefined;
  const r = checkinCommandSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ` : "";
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(", ")}`
        : issue.message;
    return fail("bad-command", `${where}${message.replace(/^Invalid input: /, "")}`, requestId);
  }
  return { ok: true, command: r.data };
}

function fail(error: CheckinError, reason: string, requestId?: string): ParsedCommand {
  return { ok: false, reply: errorReply(error, reason, requestId) };
}

export function errorReply(
  error: CheckinError,
  reason: string,
  requestId?: string,
  extra: { since?: number; holder?: string } = {},
): CheckinReply {
  return { v: 1, ok: false, error, reason, ...extra, ...(requestId !== undefined ? { requestId } : {}) };
}
