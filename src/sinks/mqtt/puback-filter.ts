// PUBACKs for the sink's own QoS 1 packets, taken off the incoming byte
// stream before mqtt.js parses it.
//
// Why: in the default configuration the broker answers every message with a
// PUBACK (20k/s at 20k changes/s). mqtt.js turns each into a packet object
// (mqtt-packet's parser, a bl buffer list, disabled `debug` calls), queues it,
// handles it on its own nextTick and looks it up in its outgoing store, where
// our packets are not (qos1-publisher.ts writes them): ≈ 7 % of the gateway's
// CPU for an answer that is four bytes, `0x40 0x02 <id>`. Here the stream is
// split at packet boundaries (fixed header: type byte + Remaining Length); a
// PUBACK whose id the owner claims is consumed, everything else reaches mqtt.js
// byte for byte, in order. Packets cut across chunks are handled: a partial
// header or a partial PUBACK waits for the next chunk (they are a few bytes;
// mqtt.js could not use them before the rest arrives either), the body of any
// other packet passes through as it arrives.
//
// Anything the filter cannot frame (a Remaining Length over 4 bytes) switches
// it off for that connection and hands the bytes on unchanged: mqtt.js then
// reports the protocol error as before, and our PUBACKs still arrive through
// its `packetreceive` event.

/** PUBACK fixed header byte (§3.4.1): type 4, flags 0. */
const PUBACK = 0x40;
/** A PUBACK larger than this (MQTT 5 properties) is left to mqtt.js: it is never ours in practice. */
const MAX_FILTERED_PUBACK = 64;

const FRAMED = 1;
const INCOMPLETE = 0;
const UNFRAMED = -1;

/** Called for each PUBACK; true = it was ours and is consumed, false = mqtt.js gets it. */
export type ClaimPuback = (packetId: number, reasonCode: number) => boolean;

export class PubackFilter {
  private readonly claim: ClaimPuback;
  /** Bytes of an incomplete header or PUBACK from the end of the last chunk. */
  private carry: Buffer | undefined;
  /** Bytes of the current (passed-through) packet not seen yet. */
  private passRemaining = 0;
  private off = false;
  private headerSize = 0;
  private remaining = 0;

  constructor(claim: ClaimPuback) {
    this.claim = claim;
  }

  /** The chunk without the claimed PUBACKs (the same buffer when none was in it). */
  filter(chunk: Buffer): Buffer {
    if (this.off) return chunk;
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    const len = buf.length;
    let at = 0;
    if (this.passRemaining > 0) {
      const take = Math.min(this.passRemaining, len);
      this.passRemaining -= take;
      at = take;
    }
    // Kept ranges [keepFrom, at) are collected only once something was cut out.
    let kept: Buffer[] | undefined;
    let keepFrom = 0;
    let end = len; // where the kept bytes end (before a withheld tail)
    while (at < len) {
      const framed = this.readHeader(buf, at);
      if (framed === INCOMPLETE) {
        // The header continues in the next chunk.
        this.carry = Buffer.from(buf.subarray(at));
        end = at;
        break;
      }
      if (framed === UNFRAMED) {
        this.off = true; // not MQTT framing we understand: hand everything on unchanged
        break;
      }
      const remaining = this.remaining;
      const total = this.headerSize + remaining;
      if (buf[at] === PUBACK && remaining >= 2 && total <= MAX_FILTERED_PUBACK) {
        if (at + total > len) {
          this.carry = Buffer.from(buf.subarray(at));
          end = at;
          break;
        }
        const body = at + this.headerSize;
        const reason = remaining >= 3 ? buf[body + 2]! : 0;
        if (this.claim(buf.readUInt16BE(body), reason)) {
          kept ??= [];
          if (at > keepFrom) kept.push(buf.subarray(keepFrom, at));
          keepFrom = at + total;
        }
        at += total;
        continue;
      }
      if (at + total > len) {
        this.passRemaining = at + total - len;
        at = len;
        break;
      }
      at += total;
    }
    if (!kept) return end === len && keepFrom === 0 ? buf : buf.subarray(keepFrom, end);
    if (end > keepFrom) kept.push(buf.subarray(keepFrom, end));
    if (kept.length === 0) return EMPTY;
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  }

  /**
   * The fixed header at `at` into headerSize (1 + the Remaining Length's bytes)
   * and remaining (fields, not an object: this runs 20k times a second).
   */
  private readHeader(buf: Buffer, at: number): typeof FRAMED | typeof INCOMPLETE | typeof UNFRAMED {
    let remaining = 0;
    let multiplier = 1;
    for (let i = 1; i <= 4; i++) {
      if (at + i >= buf.length) return INCOMPLETE;
      const byte = buf[at + i]!;
      remaining += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        this.headerSize = 1 + i;
        this.remaining = remaining;
        return FRAMED;
      }
      multiplier *= 128;
    }
    return UNFRAMED; // a Remaining Length has at most 4 bytes (§1.5.5)
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Puts `filter` in front of everything a stream emits, by wrapping its push():
 * mqtt.js pipes the stream into its parser, so what push() does not hand on,
 * mqtt.js never sees. An emptied chunk is still pushed (as zero bytes), which
 * keeps the stream's own read bookkeeping exactly as without the filter.
 */
export function filterIncoming(
  stream: { push(chunk: unknown, encoding?: BufferEncoding): boolean },
  filter: PubackFilter,
): void {
  const push = stream.push.bind(stream);
  stream.push = (chunk: unknown, encoding?: BufferEncoding): boolean =>
    Buffer.isBuffer(chunk) ? push(filter.filter(chunk), encoding) : push(chunk, encoding);
}
