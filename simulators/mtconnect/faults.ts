// Fault injection for tests and demos: what a broken or overloaded agent does
// to its clients. A queued fault is served on the next response or stream part
// it fits; timed faults (slow consumer, stall) pause streams for a while.

/**
 * - malformed: XML that is not well-formed (correct length, broken content)
 * - status500 / status404: the request is answered with that HTTP status
 * - wrongContentType: text/html instead of XML
 * - truncated: fewer bytes than the Content-length header promises
 * - huge: a valid document padded to `hugeBytes`
 */
export type FaultKind = "malformed" | "status500" | "status404" | "wrongContentType" | "truncated" | "huge";

/** Where a fault may be served: a whole response to a request, or a part inside an open /sample stream. */
export type FaultTarget = "probe" | "current" | "sample" | "stream" | "any";

const NOT_IN_STREAM: readonly FaultKind[] = ["status500", "status404"];

type Queued = { kind: FaultKind; target: FaultTarget; remaining: number };

export class FaultPlan {
  private queue: Queued[] = [];
  /** Size of a `huge` document. */
  hugeBytes = 4 * 1024 * 1024;
  /** Streams read nothing from the buffer until then (their clients fall behind). */
  holdUntil = 0;
  /** Streams send nothing at all, not even heartbeats, until then. */
  stallUntil = 0;

  inject(kind: FaultKind, target: FaultTarget = "any", times = 1): void {
    if (target === "stream" && NOT_IN_STREAM.includes(kind)) {
      throw new Error(`fault ${kind} is an HTTP status; it cannot be served inside a stream`);
    }
    this.queue.push({ kind, target, remaining: times });
  }

  /** The fault to serve now at `where` (of the `allowed` kinds), if one is queued for it. */
  take(where: Exclude<FaultTarget, "any">, allowed?: readonly FaultKind[]): FaultKind | undefined {
    const i = this.queue.findIndex(
      (q) =>
        (q.target === where || q.target === "any") &&
        !(where === "stream" && NOT_IN_STREAM.includes(q.kind)) &&
        (!allowed || allowed.includes(q.kind)),
    );
    if (i < 0) return undefined;
    const q = this.queue[i]!;
    if (--q.remaining <= 0) this.queue.splice(i, 1);
    return q.kind;
  }

  clear(): void {
    this.queue = [];
    this.holdUntil = 0;
    this.stallUntil = 0;
  }
}

/** Not well-formed: an unclosed element and a stray end tag, inside a real-looking document. */
export const MALFORMED_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<MTConnectStreams xmlns="urn:mtconnect.org:MTConnectStreams:2.0">' +
  '<Header instanceId="0" nextSequence="1" firstSequence="1" lastSequence="0"/><Streams><DeviceStream name="x">' +
  '<ComponentStream component="Path"><Events><Execution dataItemId="x" sequence="1">ACTIVE</Events></Streams>';

export const HTML_PAGE =
  "<!DOCTYPE html><html><head><title>Login</title></head><body>Please log in</body></html>";
