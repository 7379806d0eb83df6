import type { Logger } from "pino";
import type { TrainingStore, User, UserRecord } from "../store/types.ts";
import { newId } from "./ids.ts";
import { LoginThrottle } from "./login-throttle.ts";
import {
  DEFAULT_SCRYPT,
  decoyHash,
  generatePassword,
  hashPassword,
  needsRehash,
  passwordProblem,
  type ScryptParams,
  verifyPassword,
} from "./passwords.ts";
import { type NewUser, type NewUserInput, newUserSchema } from "./user-input.ts";

// Users and their passwords: add, import, disable, reset, log in. The HTTP
// API calls this directly; it decides nothing about who may do what (the
// API's role checks do). Logs carry user ids only, never a username or name.

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: "throttled"; retryAfterMs: number }
  /** wrong username or password (the two are not told apart) */
  | { ok: false; reason: "invalid" }
  /** the right password for a disabled account */
  | { ok: false; reason: "disabled" };

export type UserServiceOptions = {
  throttle?: LoginThrottle;
  clock?: () => number;
  scrypt?: ScryptParams;
  logger?: Logger;
};

/** A problem with one input, naming the field (for a 400 with field errors, or a CSV line). */
export class UserInputError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "UserInputError";
    this.field = field;
  }
}

export function publicUser(u: UserRecord): User {
  const { passwordHash: _hidden, ...user } = u;
  return user;
}

export class UserService {
  readonly #store: TrainingStore;
  readonly #throttle: LoginThrottle;
  readonly #now: () => number;
  readonly #scrypt: ScryptParams;
  readonly #log: Logger | undefined;

  constructor(store: TrainingStore, opts: UserServiceOptions = {}) {
    this.#store = store;
    this.#throttle = opts.throttle ?? new LoginThrottle();
    this.#now = opts.clock ?? Date.now;
    this.#scrypt = opts.scrypt ?? DEFAULT_SCRYPT;
    this.#log = opts.logger;
  }

  /** Validate input (throws UserInputError naming the first bad field). */
  parseNewUser(input: NewUserInput): NewUser {
    const r = newUserSchema.safeParse(input);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    throw new UserInputError(issue.path.map(String).join(".") || "user", issue.message);
  }

  /** A user record ready to insert; `password` undefined generates one (returned once, never stored). */
  async prepare(
    input: NewUserInput,
    password?: string,
  ): Promise<{ record: UserRecord; generatedPassword?: string }> {
    const u = this.parseNewUser(input);
    if (password !== undefined) {
      const problem = passwordProblem(password);
      if (problem) throw new UserInputError("password", problem);
    }
    const clear = password ?? generatePassword();
    const now = this.#now();
    const record: UserRecord = {
      id: newId("u"),
      username: u.username,
      displayName: u.displayName,
      email: u.email ?? null,
      role: u.role,
      badge: u.badge ?? null,
      disabled: false,
      passwordHash: await hashPassword(clear, this.#scrypt),
      createdAt: now,
      updatedAt: now,
    };
    return password === undefined ? { record, generatedPassword: clear } : { record };
  }

  /** Add one user. Throws UserInputError or StoreConflictError (username/badge taken). */
  async add(input: NewUserInput, password?: string): Promise<{ user: User; generatedPassword?: string }> {
    const { record, generatedPassword } = await this.prepare(input, password);
    await this.#store.insertUsers([record]);
    this.#log?.info({ event: "user.added", user: record.id, role: record.role }, "user added");
    return generatedPassword === undefined
      ? { user: publicUser(record) }
      : { user: publicUser(record), generatedPassword };
  }

  async get(id: string): Promise<User | undefined> {
    const u = await this.#store.getUser(id);
    return u && publicUser(u);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const u = await this.#store.findUserByUsername(username);
    return u && publicUser(u);
  }

  async findByBadge(badge: string): Promise<User | undefined> {
    const u = await this.#store.findUserByBadge(badge);
    return u && publicUser(u);
  }

  /** A user by id or, failing that, by username (the CLI accepts either). */
  async resolve(idOrUsername: string): Promise<User | undefined> {
    return (await this.get(idOrUsername)) ?? (await this.findByUsername(idOrUsername));
  }

  async list(filter: Parameters<TrainingStore["listUsers"]>[0] = {}): Promise<User[]> {
    return (await this.#store.listUsers(filter)).map(publicUser);
  }

  /**
   * Disable (or enable) a login. A disabled trainee's open session is ended
   * by the caller through SessionService.endForUser (which knows about
   * listeners), so that this service stays free of session rules.
   */
  async setDisabled(id: string, disabled: boolean): Promise<User | undefined> {
    const u = await this.#store.updateUser(id, { disabled }, this.#now());
    if (u) this.#log?.info({ event: disabled ? "user.disabled" : "user.enabled", user: id }, "user changed");
    return u && publicUser(u);
  }

  async update(
    id: string,
    patch: Partial<Pick<NewUserInput, "displayName" | "email" | "role" | "badge">>,
  ): Promise<User | undefined> {
    const r = newUserSchema.partial().safeParse(patch);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new UserInputError(issue.path.map(String).join("."), issue.message);
    }
    const u = await this.#store.updateUser(id, r.data, this.#now());
    return u && publicUser(u);
  }

  /**
   * Erasure (GDPR art. 17), the same as `maskinport trainees erase`: the row
   * stays as an anonymous, disabled shell (so references to its id still
   * resolve), its sessions go. End an open session first through the
   * SessionService, so the machine's pipeline hears of it.
   */
  async erasePersonalData(id: string): Promise<{ user: User; sessionsDeleted: number } | undefined> {
    const erased = await this.#store.eraseUser(id, this.#now());
    if (erased) this.#log?.info({ event: "user.erased", user: id }, "personal data erased");
    return erased && { user: publicUser(erased.user), sessionsDeleted: erased.sessionsDeleted };
  }

  /** Set a new password (given, or generated and returned once). */
  async resetPassword(id: string, password?: string): Promise<{ user: User; generatedPassword?: string }> {
    if (password !== undefined) {
      const problem = passwordProblem(password);
      if (problem) throw new UserInputError("password", problem);
    }
    const clear = password ?? generatePassword();
    const u = await this.#store.updateUser(
      id,
      { passwordHash: await hashPassword(clear, this.#scrypt) },
      this.#now(),
    );
    if (!u) throw new UserInputError("user", `no user with id ${id}`);
    this.#log?.info({ event: "user.password-reset", user: id }, "password reset");
    return password === undefined
      ? { user: publicUser(u), generatedPassword: clear }
      : { user: publicUser(u) };
  }

  /**
   * Check a login. Throttled per username and per client address; an
   * unknown username costs as much time as a wrong password. A good login
   * with an old, weaker hash is re-hashed with today's parameters.
   */
  async login(username: string, password: string, address?: string): Promise<LoginResult> {
    const now = this.#now();
    const verdict = this.#throttle.check(username, address, now);
    if (!verdict.allowed) return { ok: false, reason: "throttled", retryAfterMs: verdict.retryAfterMs };
    const record = await this.#store.findUserByUsername(username.trim());
    const good =
      record?.passwordHash != null
        ? await verifyPassword(password, record.passwordHash)
        : (await verifyPassword(password, await decoyHash())) && false;
    if (!record || !good) {
      this.#throttle.recordFailure(username, address, this.#now());
      this.#log?.info({ event: "login.failed", user: record?.id ?? null }, "login failed");
      return { ok: false, reason: "invalid" };
    }
    this.#throttle.recordSuccess(username);
    if (record.disabled) return { ok: false, reason: "disabled" };
    if (needsRehash(record.passwordHash!, this.#scrypt)) {
      await this.#store.updateUser(
        record.id,
        { passwordHash: await hashPassword(password, this.#scrypt) },
        this.#now(),
      );
    }
    return { ok: true, user: publicUser(record) };
  }
}
