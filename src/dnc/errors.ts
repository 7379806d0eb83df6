// Errors a technician or trainee can act on. Every DNC failure ends up as one
// of these codes with a message that names the port and the likely fix, so
// the CLI, the web UI and the audit log all say the same thing.

export const DNC_ERROR_CODES = [
  "port-missing",
  "port-busy",
  "permission-denied",
  "connection-refused",
  "no-response",
  "cable-pulled",
  "framing-mismatch",
  "invalid-program",
  "cancelled",
  "port-error",
] as const;
export type DncErrorCode = (typeof DNC_ERROR_CODES)[number];

export class DncError extends Error {
  readonly code: DncErrorCode;
  /** For a drip-feed that stopped: the first line the machine may not have received in full. */
  resumeFromLine?: number;
  /** Bytes handed to the line before the failure. */
  bytesDone?: number;
  constructor(code: DncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DncError";
    this.code = code;
  }
}

export function isDncError(err: unknown): err is DncError {
  return err instanceof DncError;
}

/** Any thrown value as a DncError (unknown failures become port-error). */
export function asDncError(err: unknown, context: string): DncError {
  if (err instanceof DncError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DncError("port-error", `${context}: ${message}`, { cause: err });
}
