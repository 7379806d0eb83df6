import type { Authenticator, LoginResult } from "../../../src/web/auth/authenticator.ts";
import type { Role } from "../../../src/web/auth/roles.ts";

export const PASSWORD = "korrekt hest batteri";

/**
 * Stands in for the training layer's user store: three users, one per role,
 * and its own throttling (after `failuresBeforeThrottle` failed logins for a
 * username, every attempt is refused for a minute).
 */
export class FakeAuthenticator implements Authenticator {
  readonly users = new Map<string, { userId: string; role: Role }>([
    ["ola", { userId: "u-trainee-1", role: "trainee" }],
    ["kari", { userId: "u-instructor-1", role: "instructor" }],
    ["root", { userId: "u-admin-1", role: "admin" }],
  ]);
  readonly attempts: { username: string; clientAddress: string }[] = [];
  readonly failures = new Map<string, number>();
  failuresBeforeThrottle = Number.POSITIVE_INFINITY;

  async login(username: string, password: string, clientAddress: string): Promise<LoginResult> {
    this.attempts.push({ username, clientAddress });
    const failed = this.failures.get(username) ?? 0;
    if (failed >= this.failuresBeforeThrottle) return { error: "throttled", retryAfterMs: 60_000 };
    const user = this.users.get(username);
    if (user === undefined || password !== PASSWORD) {
      this.failures.set(username, failed + 1);
      return { error: "bad_credentials" };
    }
    return { ...user };
  }
}

/** The fake user store plus display names, as the training store's authenticator offers them. */
export class NamedFakeAuthenticator extends FakeAuthenticator {
  readonly displayNames = new Map([
    ["u-trainee-1", "Ola Nordmann"],
    ["u-trainee-2", "Kari Elev"],
    ["u-instructor-1", "Kari Instruktør"],
    ["u-admin-1", "Admin"],
  ]);

  constructor() {
    super();
    this.users.set("siri", { userId: "u-trainee-2", role: "trainee" });
  }

  async displayNameOf(userId: string): Promise<string | undefined> {
    return this.displayNames.get(userId);
  }
}
