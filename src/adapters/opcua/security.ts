// Choosing the security mode and policy: the configured ones when the
// server offers them, otherwise ("auto") the strongest the server offers —
// DESIGN.md: encrypted endpoints preferred. Pure, so it is tested alone.
import type { OpcuaSecurityMode, OpcuaSecurityPolicy } from "./config.ts";

export type OfferedEndpoint = {
  /** 1 None, 2 Sign, 3 SignAndEncrypt (MessageSecurityMode). */
  securityMode: number;
  securityPolicyUri: string;
  securityLevel: number;
};

export type ChosenSecurity = {
  mode: Exclude<OpcuaSecurityMode, "auto">;
  policy: Exclude<OpcuaSecurityPolicy, "auto">;
  /** Set when "auto" had to settle for an unencrypted or unsigned connection. */
  warning?: string;
};

const MODE_NAMES = { 1: "None", 2: "Sign", 3: "SignAndEncrypt" } as const;
const POLICY_PREFIX = "http://opcfoundation.org/UA/SecurityPolicy#";
/** Policies we speak, strongest first. */
const POLICY_STRENGTH: readonly Exclude<OpcuaSecurityPolicy, "auto">[] = [
  "Aes256_Sha256_RsaPss",
  "Basic256Sha256",
  "Aes128_Sha256_RsaOaep",
  "None",
];

export class SecurityChoiceError extends Error {
  override name = "SecurityChoiceError";
}

function describe(e: OfferedEndpoint): string {
  const mode = MODE_NAMES[e.securityMode as 1 | 2 | 3] ?? `mode ${e.securityMode}`;
  return `${mode}/${e.securityPolicyUri.replace(POLICY_PREFIX, "")}`;
}

export function chooseSecurity(
  offered: readonly OfferedEndpoint[],
  want: { mode: OpcuaSecurityMode; policy: OpcuaSecurityPolicy },
): ChosenSecurity {
  const usable = offered
    .map((e) => ({
      e,
      mode: MODE_NAMES[e.securityMode as 1 | 2 | 3],
      policy: e.securityPolicyUri.replace(POLICY_PREFIX, "") as Exclude<OpcuaSecurityPolicy, "auto">,
    }))
    .filter((x) => x.mode !== undefined && POLICY_STRENGTH.includes(x.policy))
    .filter((x) => want.mode === "auto" || x.mode === want.mode)
    .filter((x) => want.policy === "auto" || x.policy === want.policy);
  if (usable.length === 0) {
    throw new SecurityChoiceError(
      `the server offers no endpoint with securityMode ${want.mode} and securityPolicy ${want.policy}; ` +
        `it offers: ${offered.map(describe).join(", ") || "nothing"}`,
    );
  }
  // Encrypt over sign over none; within a mode the stronger policy; the server's own ranking breaks ties.
  usable.sort(
    (a, b) =>
      b.e.securityMode - a.e.securityMode ||
      POLICY_STRENGTH.indexOf(a.policy) - POLICY_STRENGTH.indexOf(b.policy) ||
      b.e.securityLevel - a.e.securityLevel,
  );
  const best = usable[0]!;
  const mode = best.mode!;
  const chosen: ChosenSecurity = { mode, policy: best.policy };
  if (want.mode === "auto" && mode !== "SignAndEncrypt") {
    chosen.warning =
      mode === "None"
        ? "the server offers no signed or encrypted endpoint: the connection is not protected"
        : "the server offers no encrypted endpoint: the connection is signed but readable";
  }
  return chosen;
}
