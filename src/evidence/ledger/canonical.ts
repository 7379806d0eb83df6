/** A JSON value as the ledger stores it: no undefined, no functions, finite numbers only. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
/** A payload as callers build it: undefined members are allowed and left out of the canonical text. */
export type JsonObject = { readonly [key: string]: Json | undefined };

/**
 * The one text form of a JSON value that the hash chain signs: object keys in
 * code-unit order, no whitespace, undefined members left out. Two payloads
 * that mean the same thing get the same text, so the hash does not depend on
 * how a caller happened to build its object.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a finite number`);
      return JSON.stringify(value);
    case "string":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} cannot be stored as evidence`);
  }
}
