/** Why a connection attempt failed; the message says what to do about it. */
export type ConnectErrorKind =
  | "certificate"
  | "login"
  | "security"
  | "discovery"
  | "nodes"
  | "network"
  | "aborted";

export class ConnectError extends Error {
  override name = "ConnectError";
  readonly kind: ConnectErrorKind;
  constructor(kind: ConnectErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}
