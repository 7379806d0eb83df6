import { randomBytes } from "node:crypto";

// Opaque ids: they go into MQTT replies and API URLs, so they must say
// nothing about the person (no username, no sequence number that counts
// enrolments). 80 random bits, base32 lowercase, with a kind prefix.

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

export function newId(prefix: "u" | "c" | "s"): string {
  let out = "";
  for (const b of randomBytes(16)) out += BASE32[b & 31];
  return `${prefix}-${out}`;
}
