import type { UserService } from "../../training/people/users.ts";
import type { Authenticator } from "../auth/authenticator.ts";

/**
 * The web layer's login port over the training layer's users: password
 * hashes and throttling (per username and per client address) stay in
 * UserService; this only translates its answers. A disabled account gets
 * the same answer as a wrong password, so a login form tells an attacker
 * nothing about which accounts exist or are switched off.
 */
export function userAuthenticator(users: UserService): Authenticator {
  return {
    async login(username, password, clientAddress) {
      const result = await users.login(username, password, clientAddress);
      if (result.ok) return { userId: result.user.id, role: result.user.role };
      if (result.reason === "throttled") return { error: "throttled", retryAfterMs: result.retryAfterMs };
      return { error: "bad_credentials" };
    },
    async displayNameOf(userId) {
      const user = await users.get(userId);
      return user === undefined || user.disabled ? undefined : user.displayName;
    },
  };
}
