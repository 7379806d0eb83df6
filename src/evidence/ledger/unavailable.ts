import { storeUnavailable } from "../../training/store/store-unavailable.ts";

// Why an append failed decides what happens to the drafts it carried: when the
// ledger could not be reached (storeUnavailable) they are held and retried, in
// order; when the draft itself is at fault (it can never be sealed) it is set
// aside, so that one bad draft does not hold every later one back.

/**
 * The draft itself can never be sealed: a value canonical JSON refuses
 * (NaN, a function), a timestamp that is not integer milliseconds
 * (TypeError / RangeError from canonicalJson and seal), or a value the
 * database refuses as data (SQLSTATE class 22 data exception, class 23
 * integrity constraint). Anything else that is not `storeUnavailable` is
 * not known to be the draft's fault either, and is retried.
 */
export function draftRejected(err: unknown): boolean {
  if (storeUnavailable(err)) return false;
  if (err instanceof TypeError || err instanceof RangeError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^2[23][0-9A-Z]{3}$/.test(code);
}
