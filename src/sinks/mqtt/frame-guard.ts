// A size limit on MQTT packets before they are buffered. aedes (mqtt-packet)
// collects a whole packet in memory before it looks at it, so a 50 MB
// PUBLISH costs 50 MB per connection before any hook can refuse it. This
// reads only the fixed header of each packet as the bytes stream past
// (type byte, then the "remaining length" varint of 1–4 bytes) and skips the
// body, so it costs O(number of chunks + packets) and keeps no bytes.
import type { Socket } from "node:net";

/** The MQTT 3.1.1/5 maximum of "remaining length" (four varint bytes). */
export const MQTT_MAX_REMAINING_LENGTH = 268_435_455;

export type FrameVerdict =
  | { ok: true }
  | { ok: false; reason: "too-large"; bytes: number; limit: number }
  | { ok: false; reason: "malformed-length" };

const OK: FrameVerdict = { ok: true };

/**
 * Follows packet boundaries across chunks. `limit` applies to each packet's
 * total size (header included) and may be raised later (the gateway's own
 * connection, once it has logged in).
 */
export class FrameSizeGuard {
  limit: number;
  // Bytes of the current packet's body still to skip.
  #skip = 0;
  // Header state: 0 = expecting a type byte, 1..4 = reading length byte n.
  #lengthByte = 0;
  #length = 0;
  #multiplier = 1;
  #failed = false;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Account for the next bytes of the stream. Once it has failed, it stays failed. */
  feed(chunk: Uint8Array): FrameVerdict {
    if (this.#failed) return { ok: false, reason: "malformed-length" };
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.#skip > 0) {
        const step = Math.min(this.#skip, n - i);
        this.#skip -= step;
        i += step;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.#lengthByte === 0) {
        // The type byte; the length follows.
        this.#lengthByte = 1;
        this.#length = 0;
        this.#multiplier = 1;
        continue;
      }
      this.#length += (byte & 0x7f) * this.#multiplier;
      if (byte & 0x80) {
        if (this.#lengthByte === 4) {
          this.#failed = true;
          return { ok: false, reason: "malformed-length" };
        }
        this.#lengthByte++;
        this.#multiplier *= 128;
        continue;
      }
      // Header complete: 1 type byte + the length bytes + the body.
      const total = 1 + this.#lengthByte + this.#length;
      this.#lengthByte = 0;
      if (total > this.limit) {
        this.#failed = true;
        return { ok: false, reason: "too-large", bytes: total, limit: this.limit };
      }
      this.#skip = this.#length;
    }
    return OK;
  }
}

/**
 * Put a guard in front of what aedes reads from `socket`. aedes pulls data
 * with `socket.read()` on 'readable' (lib/client.js); every byte it gets
 * passes through here first. A packet over the limit destroys the socket
 * before its body is read, and aedes sees the end of the stream.
 */
export function guardFrames(
  socket: Socket,
  limit: number,
  onRefused: (verdict: Exclude<FrameVerdict, { ok: true }>) => void,
): FrameSizeGuard {
  const guard = new FrameSizeGuard(limit);
  const read = socket.read.bind(socket);
  socket.read = ((size?: number) => {
    const chunk: unknown = read(size);
    if (chunk === null || !(chunk instanceof Uint8Array)) return chunk;
    const verdict = guard.feed(chunk);
    if (verdict.ok) return chunk;
    onRefused(verdict);
    socket.destroy();
    return null;
  }) as Socket["read"];
  return guard;
}
