import { createHash, timingSafeEqual } from "node:crypto";
import type { MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { CheckinReaderConfig } from "../config.ts";
import type { UserService } from "../people/users.ts";
import type { SessionService } from "../sessions/sessions.ts";
import type { User } from "../store/types.ts";
import { type CheckinCommand, type CheckinReply, errorReply, parseCheckinCommand } from "./command.ts";

// Check-in and check-out from badge readers and tablets over MQTT. Every
// command is answered on `<prefix>/<machine>/cmd/reply` (QoS 1, not
// retained), a bad one with an error code and a reason, and logged with the
// machine, reader and outcome only (no badge, no user). Nothing a reader
// sends can throw out of the message handler.

export type MqttCheckinOptions = {
  client: MqttClient;
  /** Topic prefix, e.g. maskinport/raufoss. */
  prefix: string;
  readers: readonly CheckinReaderConfig[];
  sessions: SessionService;
  users: UserService;
  logger: Logger;
};

const REASONS = {
  unauthorized: "unknown reader or wrong token",
  "reader-not-allowed": "this reader may not check in on this machine",
  "unknown-machine": "no such machine on this gateway",
  "unknown-badge": "badge not registered",
  "unknown-user": "no such user",
  "user-disabled": "user is disabled",
  "not-a-trainee": "only trainees check in on machines",
  occupied: "machine is occupied by another trainee",
  "not-checked-in": "this user is not checked in on this machine",
  internal: "the gateway could not handle the command; try again",
} as const;

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

export class MqttCheckin {
  readonly #o: MqttCheckinOptions;
  readonly #readers: Map<string, { tokenDigest: Buffer; machines: ReadonlySet<string> | undefined }>;
  readonly #pattern: RegExp;
  readonly #onMessage: (topic: string, payload: Buffer) => void;
  readonly #pending = new Set<Promise<void>>();

  constructor(opts: MqttCheckinOptions) {
    this.#o = opts;
    this.#readers = new Map(
      opts.readers.map((r) => [
        r.id,
        { tokenDigest: digest(r.token), machines: r.machines && new Set(r.machines) },
      ]),
    );
    const escaped = opts.prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    this.#pattern = new RegExp(`^${escaped}/([^/]+)/cmd/checkin$`);
    this.#onMessage = (topic, payload) => {
      const m = this.#pattern.exec(topic);
      if (!m) return; // the client is shared: other subscriptions' messages pass by
      const p = this.#handle(m[1]!, payload).finally(() => this.#pending.delete(p));
      this.#pending.add(p);
    };
  }

  get subscription(): string {
    return `${this.#o.prefix}/+/cmd/checkin`;
  }

  async start(): Promise<void> {
    this.#o.client.on("message", this.#onMessage);
    await this.#o.client.subscribeAsync(this.subscription, { qos: 1 });
  }

  /** Stop listening and wait for commands in progress to be answered. */
  async stop(): Promise<void> {
    this.#o.client.off("message", this.#onMessage);
    if (this.#o.client.connected) await this.#o.client.unsubscribeAsync(this.subscription).catch(() => {});
    await Promise.allSettled([...this.#pending]);
  }

  async #handle(machine: string, payload: Buffer): Promise<void> {
    let reply: CheckinReply;
    let reader: string | undefined;
    try {
      const parsed = parseCheckinCommand(payload);
      if (parsed.ok) {
        reader = parsed.command.reader;
        reply = await this.#execute(machine, parsed.command);
      } else reply = parsed.reply;
    } catch (err) {
      this.#o.logger.error({ err, machine }, "check-in command failed");
      reply = errorReply("internal", REASONS.internal);
    }
    const outcome = reply.ok ? "ok" : reply.error;
    const level = reply.ok
      ? "info"
      : reply.error === "unauthorized" || reply.error === "internal"
        ? "warn"
        : "info";
    this.#o.logger[level](
      {
        event: "checkin.command",
        machine,
        reader: reader ?? null,
        outcome,
        requestId: reply.requestId ?? null,
      },
      reply.ok ? "check-in command done" : "check-in command refused",
    );
    try {
      await this.#o.client.publishAsync(`${this.#o.prefix}/${machine}/cmd/reply`, JSON.stringify(reply), {
        qos: 1,
        retain: false,
      });
    } catch (err) {
      this.#o.logger.warn({ err, machine }, "could not publish check-in reply");
    }
  }

  async #execute(machine: string, c: CheckinCommand): Promise<CheckinReply> {
    const rid = c.requestId;
    const fail = (error: keyof typeof REASONS, extra?: { since?: number; holder?: string }) =>
      errorReply(error, REASONS[error], rid, extra);
    const reader = this.#readers.get(c.reader);
    // Unknown reader and wrong token get the same answer: a stranger learns no reader ids.
    const tokenOk = timingSafeEqual(digest(c.token), reader?.tokenDigest ?? digest(`no reader ${c.token}x`));
    if (!reader || !tokenOk) return fail("unauthorized");
    if (reader.machines && !reader.machines.has(machine)) return fail("reader-not-allowed");

    let user: User | undefined;
    if (c.badge !== undefined) {
      user = await this.#o.users.findByBadge(c.badge);
      if (!user) return fail("unknown-badge");
    } else {
      user = await this.#o.users.get(c.user!);
      if (!user) return fail("unknown-user");
    }
    const by = `reader:${c.reader}`;

    if (c.action === "checkin") {
      const r = await this.#o.sessions.checkIn({ machine, userId: user.id, by, source: "mqtt" });
      if (!r.ok) {
        return r.error === "occupied"
          ? fail("occupied", { since: r.holder.since, holder: r.holder.pseudonym })
          : fail(r.error);
      }
      return {
        v: 1,
        ok: true,
        action: "checkin",
        machine,
        session: r.session.sessionId,
        pseudonym: r.session.pseudonym,
        at: r.session.since,
        already: r.already,
        ...(rid !== undefined ? { requestId: rid } : {}),
      };
    }

    if (user.disabled) return fail("user-disabled");
    // A trainee checks themself out; an instructor's badge checks out whoever is there.
    const holderOnly = user.role === "trainee" ? { userId: user.id } : {};
    const r = await this.#o.sessions.checkOut({ machine, by, ...holderOnly });
    if (!r.ok) return fail("not-checked-in");
    return {
      v: 1,
      ok: true,
      action: "checkout",
      machine,
      session: r.session.id,
      pseudonym: this.#o.sessions.pseudonymOf(r.session.userId),
      at: r.session.endedAt ?? r.session.startedAt,
      ...(rid !== undefined ? { requestId: rid } : {}),
    };
  }
}
