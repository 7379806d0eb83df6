import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A fresh session (or CSRF) token: 32 random bytes, base64url (43 characters),
 * so guessing one is hopeless and it travels in a cookie or header unescaped.
 */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * What a session store keeps instead of the token, so a copy of the store
 * (a backup, a memory dump, a database read) does not hand out live sessions.
 * A plain SHA-256 is enough here, unlike for passwords: the token has 256
 * bits of entropy, so there is nothing to guess from the hash.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("base64url");
}

/** Compare two secrets without leaking, through timing, how much of them matched. */
export function sameSecret(a: string, b: string): boolean {
  // Hash first: timingSafeEqual needs equal lengths, and the length itself must not leak either.
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}
