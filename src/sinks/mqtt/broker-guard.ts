// The embedded broker's door: who logs in as what, what each login may
// publish, subscribe and receive, and how much any one client may make the
// broker hold. The rules are in broker-access.ts and the counters in
// broker-limits.ts; this file binds them to aedes' hooks and to sockets.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Socket } from "node:net";
import type { AedesOptions, AedesPublishPacket, AuthenticateError, Client, PublishPacket } from "aedes";
import type { Logger } from "pino";
import { BrokerAccess, type ClientRole } from "./broker-access.ts";
import type { BrokerLimits, BrokerUser } from "./broker-config.ts";
import { ConnectionCounter, clientAddress, RetainedBudget } from "./broker-limits.ts";
import { type FrameSizeGuard, guardFrames, MQTT_MAX_REMAINING_LENGTH } from "./frame-guard.ts";

/** How the gateway's own MqttSink logs in; made at start, never in the config, never logged. */
export type GatewayLogin = { username: string; password: string; clientId: string };

export type BrokerGuardOptions = {
  /** The topic prefix only the gateway publishes under (e.g. maskinport/raufoss). */
  prefix: string;
  gateway: GatewayLogin;
  users: readonly BrokerUser[];
  allowAnonymousRead: boolean;
  limits: BrokerLimits;
  log: Logger;
};

// MQTT 3.1.1 CONNACK return codes.
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

// Hash first so that the comparison takes the same time whatever the lengths.
function sameSecret(given: string | Buffer | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function refusal(returnCode: number, message: string): AuthenticateError {
  const err = new Error(message) as AuthenticateError;
  err.returnCode = returnCode as AuthenticateError["returnCode"];
  return err;
}

/** Topic names in logs come from clients: cut them short. */
function shown(topic: string): string {
  return topic.length > 120 ? `${topic.slice(0, 120)}…` : topic;
}

/**
 * At most `perMinute` warnings a minute: a client refused in a reconnect
 * loop must not flood the log. What is held back is counted and reported
 * with the next warning that gets through.
 */
class WarningBudget {
  #windowStart = 0;
  #used = 0;
  #suppressed = 0;
  readonly #log: Logger;
  readonly #perMinute: number;

  constructor(log: Logger, perMinute: number) {
    this.#log = log;
    this.#perMinute = perMinute;
  }

  warn(fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    if (now - this.#windowStart >= 60_000) {
      this.#windowStart = now;
      this.#used = 0;
    }
    if (this.#used >= this.#perMinute) {
      this.#suppressed++;
      return;
    }
    this.#used++;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    this.#log.warn(suppressed > 0 ? { ...fields, suppressedBefore: suppressed } : fields, msg);
  }
}

type SocketState = {
  address: string;
  /** Whether this socket holds a slot of its address (the gateway's gives it back). */
  countedForAddress: boolean;
  frames: FrameSizeGuard;
  user?: string;
};

export class BrokerGuard {
  readonly #opts: BrokerGuardOptions;
  readonly #access: BrokerAccess;
  readonly #users: Map<string, BrokerUser>;
  readonly #roles = new WeakMap<Client, ClientRole>();
  readonly #sockets = new WeakMap<object, SocketState>();
  readonly #perAddress: ConnectionCounter;
  readonly #perUser: ConnectionCounter;
  readonly #retained: RetainedBudget;
  readonly #warnings: WarningBudget;
  readonly #log: Logger;

  constructor(opts: BrokerGuardOptions) {
    this.#opts = opts;
    this.#log = opts.log;
    this.#access = new BrokerAccess(opts.prefix);
    this.#users = new Map(opts.users.map((u) => [u.username, u]));
    this.#perAddress = new ConnectionCounter(opts.limits.maxConnectionsPerAddress);
    this.#perUser = new ConnectionCounter(opts.limits.maxConnectionsPerUser);
    this.#retained = new RetainedBudget({
      maxTopics: opts.limits.maxRetainedTopics,
      maxBytes: opts.limits.maxRetainedBytes,
    });
    this.#warnings = new WarningBudget(opts.log, 30);
  }

  /** Retained topics and bytes held for clients other than the gateway. */
  get retained(): { topics: number; bytes: number } {
    return { topics: this.#retained.topics, bytes: this.#retained.bytes };
  }

  /**
   * A new TCP or TLS connection, before aedes sees it: counted against its
   * address, and its packets size-checked. False means it was refused and destroyed.
   */
  admitSocket(socket: Socket): boolean {
    const address = clientAddress(socket.remoteAddress);
    if (!this.#perAddress.take(address)) {
      this.#warnings.warn(
        { address, limit: this.#perAddress.limit },
        "embedded broker refused a connection: too many from this address (mqtt.embedded.limits.maxConnectionsPerAddress)",
      );
      socket.destroy();
      return false;
    }
    const frames = guardFrames(socket, this.#opts.limits.maxMessageBytes, (verdict) => {
      const state = this.#sockets.get(socket);
      this.#warnings.warn(
        verdict.reason === "too-large"
          ? { address, user: state?.user, bytes: verdict.bytes, limit: verdict.limit }
          : { address, user: state?.user },
        verdict.reason === "too-large"
          ? "embedded broker dropped a client: packet larger than mqtt.embedded.limits.maxMessageBytes"
          : "embedded broker dropped a client: malformed MQTT packet length",
      );
    });
    const state: SocketState = { address, countedForAddress: true, frames };
    this.#sockets.set(socket, state);
    socket.once("close", () => {
      if (state.countedForAddress) this.#perAddress.release(address);
      if (state.user !== undefined) this.#perUser.release(state.user);
    });
    return true;
  }

  /** The aedes hooks. */
  hooks(): Pick<
    AedesOptions,
    "authenticate" | "authorizePublish" | "authorizeSubscribe" | "authorizeForward"
  > {
    return {
      authenticate: (client, username, password, done) => {
        const result = this.#authenticate(client, username, password);
        if (typeof result === "string") {
          this.#roles.set(client, result);
          return done(null, true);
        }
        return done(result, null);
      },
      authorizePublish: (client, packet, done) => done(this.#authorizePublish(client, packet)),
      authorizeSubscribe: (client, sub, done) => {
        const role = this.#roles.get(client) ?? "anonymous";
        if (this.#access.maySubscribe(role, sub.topic)) return done(null, sub);
        this.#warnings.warn(
          { clientId: client.id, role, filter: shown(sub.topic) },
          "embedded broker refused a subscription",
        );
        // null: SUBACK 0x80 for this filter; the client stays connected.
        return done(null, null);
      },
      authorizeForward: (client, packet) => this.#forward(client, packet),
    };
  }

  #authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): ClientRole | AuthenticateError {
    const { gateway } = this.#opts;
    const state = this.#sockets.get(client.conn);
    const address = state?.address ?? "unknown";
    if (username === gateway.username && sameSecret(password, gateway.password)) {
      // The gateway is not limited: no address slot, no packet size cap.
      if (state) {
        if (state.countedForAddress) this.#perAddress.release(state.address);
        state.countedForAddress = false;
        state.frames.limit = MQTT_MAX_REMAINING_LENGTH + 5;
      }
      return "gateway";
    }
    if (client.id === gateway.clientId) {
      // Taking over this id would disconnect the gateway's publisher ([MQTT-3.1.4-2]).
      this.#warnings.warn(
        { address, clientId: client.id },
        "embedded broker refused a client using the gateway's client id",
      );
      return refusal(IDENTIFIER_REJECTED, "this client id is reserved for the gateway");
    }
    if (username === undefined) {
      if (this.#opts.allowAnonymousRead) return "anonymous";
      this.#warnings.warn(
        { address, clientId: client.id },
        "embedded broker refused a client without a login",
      );
      return refusal(NOT_AUTHORIZED, "a login is required (mqtt.embedded.users)");
    }
    const user = this.#users.get(username);
    if (user === undefined || !sameSecret(password, user.password)) {
      // The user name is logged to help the technician; the password never is.
      this.#warnings.warn(
        { address, clientId: client.id, user: username },
        "embedded broker rejected a login",
      );
      return refusal(BAD_USERNAME_OR_PASSWORD, "bad user name or password");
    }
    if (state && !this.#perUser.take(user.username)) {
      this.#warnings.warn(
        { address, user: user.username, limit: this.#perUser.limit },
        "embedded broker refused a login: too many connections for this user (mqtt.embedded.limits.maxConnectionsPerUser)",
      );
      return refusal(SERVER_UNAVAILABLE, "too many connections for this user");
    }
    if (state) state.user = user.username;
    return user.role;
  }

  #authorizePublish(client: Client | null, packet: PublishPacket): Error | null {
    // null: a Last Will aedes publishes for a client that is gone (other brokers' wills); none are ours.
    const role = client ? (this.#roles.get(client) ?? "anonymous") : "anonymous";
    if (role === "gateway") return this.#access.publishRefusal(role, packet.topic, false) ? DENIED : null;
    let why = this.#access.publishRefusal(role, packet.topic, packet.retain);
    if (why === undefined && packet.retain) {
      why = this.#retained.admit(packet.topic, payloadBytes(packet.payload));
    }
    if (why === undefined) return null;
    this.#warnings.warn(
      { clientId: client?.id, role, topic: shown(packet.topic), retain: packet.retain, reason: why },
      "embedded broker refused a publish and closed the client",
    );
    // MQTT 3.1.1 has no "refused" answer to a PUBLISH: aedes closes the connection [MQTT-3.3.5-2].
    return new Error(why);
  }

  #forward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const topic = packet.topic;
    // Fast path: nearly every message is an ordinary topic for anyone.
    if (topic.charCodeAt(0) !== 0x24 && !topic.endsWith("/cmd/checkin")) return packet;
    return this.#access.mayReceive(this.#roles.get(client) ?? "anonymous", topic) ? packet : null;
  }
}

const DENIED = new Error("topics starting with $ belong to the broker");

function payloadBytes(payload: PublishPacket["payload"]): number {
  return typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
}
