// The effective config as an admin may see it: every secret replaced by a
// mark, so the admin page (and anyone looking over a shoulder at the wall
// screen) never shows a password, token or pseudonym secret. Pure: walks
// a copy, never changes what the gateway runs on.

/** What a masked value is shown as. */
export const MASK = "***";

/**
 * A key whose value is a secret, by name: `password`, `token`, `secret`,
 * `pseudonymSecret`, `apiKey`, `passphrase`, `privateKey`, `credentials`, in
 * any case and as part of a longer name (`brokerPassword`, `readerToken`).
 * Over-masking a harmless key costs a line of reading; under-masking leaks.
 */
const SECRET_KEY = /pass(word|phrase)|token|secret|api[-_]?key|private[-_]?key|credential/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * `postgres://user:pw@db/x` → `postgres://***@db/x`, anywhere in a string:
 * the user and password of a URL (up to the last `@` before the host, so a
 * password holding `@` or `/` is covered), and the value of a query
 * parameter with a secret's name (`?token=…`).
 */
export function maskUrlCredentials(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)(\S*)/gi, (whole, scheme: string, rest: string) => {
      const at = rest.lastIndexOf("@");
      return at < 0 ? whole : `${scheme}${MASK}${rest.slice(at)}`;
    })
    .replace(/([?&;])([\w.-]+)=([^&#;\s]*)/g, (whole, sep: string, name: string, value: string) =>
      isSecretKey(name) && value !== "" ? `${sep}${name}=${MASK}` : whole,
    );
}

/**
 * A deep copy of `value` with every secret masked: the value of a secret
 * key (any type but `null` and booleans, which say whether, not what) and
 * URL credentials in every string. Arrays and plain objects are walked;
 * anything else (a Date, a class instance) is shown as its string, masked.
 */
export function maskSecrets(value: unknown, key?: string): unknown {
  if (
    key !== undefined &&
    isSecretKey(key) &&
    value !== null &&
    value !== undefined &&
    typeof value !== "boolean"
  ) {
    return MASK;
  }
  if (typeof value === "string") return maskUrlCredentials(value);
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskSecrets(v, k);
    return out;
  }
  if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean") {
    return value;
  }
  return maskUrlCredentials(String(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
