import type { Role } from "./roles.ts";

/** Someone whose password checked out. */
export type AuthenticatedUser = { userId: string; role: Role };

export type LoginRefusal =
  /** Unknown user, wrong password or a disabled account: deliberately not told apart. */
  | { error: "bad_credentials" }
  /** Too many failures for this user or address; try again after `retryAfterMs` if given. */
  | { error: "throttled"; retryAfterMs?: number };

export type LoginResult = AuthenticatedUser | LoginRefusal;

/**
 * The port the web layer logs people in through. The user store of the
 * training layer implements it (password hashes, per-user and per-address
 * throttling); the web layer only turns its answer into a session. Nothing
 * here knows how users are stored.
 *
 * `clientAddress` is the request's IP address, for the store's throttling.
 */
export interface Authenticator {
  login(username: string, password: string, clientAddress: string): Promise<LoginResult>;
  /**
   * The name `GET /api/me` shows the user themself; undefined when unknown or
   * disabled. Asked on every call rather than kept in the session, so a
   * rename by an admin shows at once.
   */
  displayNameOf?(userId: string): Promise<string | undefined>;
}

export function isRefusal(result: LoginResult): result is LoginRefusal {
  return "error" in result;
}
