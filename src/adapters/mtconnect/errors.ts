import { DevicesXmlError } from "../mtconnect-common/devices.ts";
import { BindingError } from "./bindings.ts";
import { AgentErrorResponse, AgentHttpError } from "./http.ts";
import { MultipartError } from "./multipart.ts";
import { MtXmlError } from "./streams-parser.ts";

// What can go wrong while talking to an agent, sorted by what the adapter does about it.

export type ResyncReason = "instance-changed" | "out-of-range" | "gap";

/**
 * Not a failure: the agent's buffer no longer holds what we need (OUT_OF_RANGE,
 * a jump in firstSequence) or the agent restarted (new instanceId). The adapter
 * re-syncs from /current at once (after a re-probe for a restart).
 */
export class ResyncNeeded extends Error {
  readonly reason: ResyncReason;
  /** Sequence numbers known to be lost (0 when unknown or none). */
  readonly lost: number;
  constructor(reason: ResyncReason, message: string, lost = 0) {
    super(message);
    this.name = "ResyncNeeded";
    this.reason = reason;
    this.lost = lost;
  }
}

/** The agent closed a stream or the connection dropped: reconnect, nothing was malformed. */
export class Disconnected extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Disconnected";
  }
}

/**
 * Bad input from the agent (malformed XML, truncated part, wrong content type,
 * HTTP error status, oversized document, a device model that does not fit the
 * config): counted in stats.errors. Anything else is a connection problem.
 */
export function isBadInput(e: unknown): boolean {
  return (
    e instanceof MtXmlError ||
    e instanceof MultipartError ||
    e instanceof DevicesXmlError ||
    e instanceof BindingError ||
    e instanceof AgentErrorResponse ||
    (e instanceof AgentHttpError && e.badInput)
  );
}
