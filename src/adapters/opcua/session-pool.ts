// The client side of one OPC UA server, shared by every machine the config
// puts on that server with the same login and security. Each machine keeps
// its own subscription on the shared session (connection.ts), so a server
// with eight machines sees one session, not eight; node-opcua's reconnect
// restores the one session and every subscription on it.
import type { ClientSession, OPCUAClient } from "node-opcua-client";
import type { Logger } from "pino";
import { ConnectError } from "./connection-error.ts";
import { type OpenSession, openSession, type SessionConfig } from "./open-session.ts";
import type { ChosenSecurity } from "./security.ts";

/** One user's hold on a shared session; `release` once its subscription is gone. */
export type SessionLease = {
  client: OPCUAClient;
  session: ClientSession;
  security: ChosenSecurity;
  release(): Promise<void>;
};

const sessionKey = (c: SessionConfig): string =>
  JSON.stringify([
    c.endpoint,
    c.securityMode,
    c.securityPolicy,
    c.username ?? null,
    c.password ?? null,
    c.pkiDir,
    c.sessionTimeoutMs,
    c.reconnect.initialMs,
    c.reconnect.maxMs,
  ]);

/**
 * One client and session per server and login, counted by its users. The
 * session opens when the first user asks, is shared while it lives, and
 * closes when the last user releases it. A failed attempt fails every user
 * waiting for it (each retries on its own backoff); an attempt nobody waits
 * for any more is cancelled.
 */
class SharedSession {
  readonly #config: SessionConfig;
  readonly #log: Logger;
  readonly #forget: () => void;
  readonly #abort = new AbortController();
  readonly #waiting = new Set<(message: string) => void>();
  #users = 0;
  #opening: Promise<OpenSession> | undefined;
  #dead = false;

  constructor(config: SessionConfig, log: Logger, forget: () => void) {
    this.#config = config;
    this.#log = log;
    this.#forget = forget;
  }

  get dead(): boolean {
    return this.#dead;
  }

  async lease(signal: AbortSignal, waiting: (message: string) => void): Promise<SessionLease> {
    this.#users++;
    this.#waiting.add(waiting);
    if (!this.#opening) {
      this.#opening = openSession(this.#config, this.#log, this.#abort.signal, (m) => {
        for (const w of this.#waiting) w(m);
      });
      this.#opening.then(
        (open) => open.client.on("close", () => this.#die()),
        () => this.#die(),
      );
    }
    let open: OpenSession;
    try {
      open = await untilAborted(this.#opening, signal);
    } catch (err) {
      this.#waiting.delete(waiting);
      await this.#drop();
      throw err;
    }
    this.#waiting.delete(waiting);
    let released = false;
    return {
      client: open.client,
      session: open.session,
      security: open.security,
      release: async () => {
        if (released) return;
        released = true;
        await this.#drop();
      },
    };
  }

  /** No reuse from now on: a new lease opens a new session. */
  #die(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#forget();
  }

  async #drop(): Promise<void> {
    this.#users--;
    if (this.#users > 0) return;
    this.#die();
    this.#abort.abort();
    const open = await this.#opening?.catch(() => undefined);
    await open?.close();
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new ConnectError("aborted", "stopped while connecting"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ConnectError("aborted", "stopped while connecting"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/**
 * The sessions of one gateway, by server and login: the OPC UA protocol's
 * factory gives every adapter it creates the same pool, so machines on one
 * server share a session. An adapter made on its own gets a pool of its own.
 */
export class SessionPool {
  readonly #sessions = new Map<string, SharedSession>();

  /** Open (or join) the session for `config`; throws ConnectError, or "aborted" once `signal` fires. */
  lease(
    config: SessionConfig,
    options: { log: Logger; signal: AbortSignal; waiting(message: string): void },
  ): Promise<SessionLease> {
    const key = sessionKey(config);
    let shared = this.#sessions.get(key);
    if (!shared || shared.dead) {
      const created = new SharedSession(config, options.log, () => {
        if (this.#sessions.get(key) === created) this.#sessions.delete(key);
      });
      shared = created;
      this.#sessions.set(key, shared);
    }
    return shared.lease(options.signal, options.waiting);
  }

  /** Sessions open or opening (tests). */
  get size(): number {
    return this.#sessions.size;
  }
}
