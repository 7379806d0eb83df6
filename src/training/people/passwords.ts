import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

// Password hashing with scrypt (memory-hard, in node:crypto: no native
// package to build on the school's PC). The parameters are stored with each
// hash, so raising them later only needs `needsRehash` at the next login.
//
// Format: `scrypt$<logN>$<r>$<p>$<salt base64>$<hash base64>`

export type ScryptParams = { logN: number; r: number; p: number };

/** 2^15 × 8 × 128 B = 32 MiB and ~0.1 s per hash on a small PC: OWASP's floor for scrypt. */
export const DEFAULT_SCRYPT: ScryptParams = { logN: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// A stored hash could be tampered with to make verification allocate
// gigabytes; parameters outside these bounds are refused, not computed.
const MAX_LOG_N = 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  const options: ScryptOptions = {
    N,
    r: params.r,
    p: params.p,
    // OpenSSL's default limit (32 MiB) is exactly 2^15 × 8 × 128 and rejects it; allow headroom.
    maxmem: 256 * N * params.r + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, KEY_BYTES, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return `scrypt$${params.logN}$${params.r}$${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

type ParsedHash = ScryptParams & { salt: Buffer; key: Buffer };

function parseHash(stored: string): ParsedHash | undefined {
  const m = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return undefined;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 10 || logN > MAX_LOG_N || r < 1 || r > MAX_R || p < 1 || p > MAX_P) return undefined;
  const salt = Buffer.from(m[4]!, "base64");
  const key = Buffer.from(m[5]!, "base64");
  if (salt.length < SALT_BYTES || key.length !== KEY_BYTES) return undefined;
  return { logN, r, p, salt, key };
}

/** true when `password` matches `stored`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed);
  return timingSafeEqual(key, parsed.key);
}

/** true when `stored` was made with weaker parameters than `params` (hash again after a good login). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  return parsed.logN < params.logN || parsed.r < params.r || parsed.p < params.p;
}

/**
 * A hash of nothing in particular, verified against when a username is
 * unknown so that "no such user" takes as long as "wrong password".
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString("hex"));
  return decoy;
}

// No 0/O, 1/l/I: a generated password is read off a screen and typed.
const READABLE = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A random password of `length` readable characters (~5.8 bits each; 16 → ~93 bits). */
export function generatePassword(length = 16): string {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 56).
  const limit = 256 - (256 % READABLE.length);
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit && out.length < length) out += READABLE[b % READABLE.length];
    }
  }
  return out;
}

/** Minimum rules for a chosen password (generated ones always pass). */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 10) return "a password needs at least 10 characters";
  if (password.length > 1024) return "a password may have at most 1024 characters";
  return undefined;
}
