import { createHmac, randomBytes } from "node:crypto";

// Per-person keys: the chain never holds a trainee id, only values keyed with
// a random key that belongs to that one person. Deleting the key (erasure,
// end of retention) leaves the records verifiable and anonymous: nobody, not
// even the operator of the database, can tell whose they were.

function keyed(key: Buffer, purpose: string, value: string): string {
  // 128 bits: enough to never collide in a school's lifetime, short enough to read in a report.
  return createHmac("sha256", key).update(`${purpose}\u0000${value}`).digest("hex").slice(0, 32);
}

/** A fresh random key and the subject it gives. */
export function newPersonKey(personId: string): { key: Buffer; subject: string } {
  const key = randomBytes(32);
  return { key, subject: keyed(key, "subject", personId) };
}

/** The chain's reference to a check-in session, linkable only with the trainee's key. */
export function sessionRef(key: Buffer, sessionId: string): string {
  return keyed(key, "session", sessionId);
}

/**
 * The chain's reference to a free-text note. Keyed, not a plain hash: a short
 * note ("ok", "bra") must not be guessable from its reference.
 */
export function noteRef(key: Buffer, text: string, ts: number): string {
  return keyed(key, "note", `${ts}\u0000${text}`);
}
