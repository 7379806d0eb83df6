/**
 * A statement id from a record's SHA-256: the first 128 bits with the UUID
 * version set to 8 (RFC 9562, "custom") and the RFC 4122 variant. The same
 * record always gives the same id, so exporting twice or re-sending after an
 * LRS outage cannot create duplicates (the LRS answers 409/204 for a known id).
 */
export function uuidFromHash(hexHash: string): string {
  if (!/^[0-9a-f]{32,}$/.test(hexHash))
    throw new TypeError("uuidFromHash: expected at least 32 lowercase hex digits");
  const h = hexHash.slice(0, 32).split("");
  h[12] = "8";
  h[16] = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/** Seconds as an ISO 8601 duration with the 0.01 s precision xAPI keeps (PT1H2M3.45S). */
export function isoDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 10)) / 100;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total - h * 3600) / 60);
  const s = Math.round((total - h * 3600 - m * 60) * 100) / 100;
  return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s || (!h && !m) ? `${s}S` : ""}`;
}
