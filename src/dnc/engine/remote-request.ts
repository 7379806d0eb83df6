import type { DncProfile } from "../profiles/schema.ts";

export type RemoteRequest = { verb: "LOAD" | "DRIP"; name: string };

/**
 * The remote-request convention (there is no standard across controls):
 * the machine *punches a small program* whose text matches the profile's
 * `remoteRequest.pattern` — by default a comment such as `(LOAD O1234)` or
 * `(DNC DRIP O1234)` on Fanuc/Haas, `;LOAD PART1` on Sinumerik, `1 ;LOAD PLATE`
 * on Heidenhain. The operator keeps a one-line request program on the
 * control and punches it; the gateway answers by sending (LOAD) or
 * drip-feeding (DRIP) the named program from the library. Override the
 * pattern per machine with `dnc.remoteRequest.pattern` (named groups `verb`
 * and `name`).
 */
export function parseRemoteRequest(
  text: string,
  profile: Pick<DncProfile, "remoteRequest">,
): RemoteRequest | undefined {
  const re = new RegExp(profile.remoteRequest.pattern, "im");
  const m = re.exec(text);
  const verb = m?.groups?.verb?.toUpperCase();
  const name = m?.groups?.name;
  if (!verb || !name || (verb !== "LOAD" && verb !== "DRIP")) return undefined;
  return { verb, name: name.toUpperCase() };
}
