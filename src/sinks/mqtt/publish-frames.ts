// PUBLISH packets (MQTT 3.1.1 §3.3 / MQTT 5 §3.3), QoS 0 or 1, encoded many
// to one buffer for a single socket write.
//
// Why not client.publish() for each: mqtt.js hands every packet to the socket
// as five or six small chunks (header, length, topic length, topic, payload),
// each a string or buffer the socket converts and gathers in writev, plus a
// cork/uncork tick and disabled-debug calls per packet; a QoS 1 packet is
// also deep-cloned into its outgoing store. For the signal topics (hundreds
// to thousands per publish response) that was ~40 % of the gateway's
// main-thread CPU at 1k changes/s (bench/opcua/README.md). A QoS 0 PUBLISH has
// no state on either side; the state of a QoS 1 PUBLISH (its packet id until
// the PUBACK) is kept by qos1-publisher.ts, not by mqtt.js.
//
// Frame: fixed header (0x30 | dup·8 | qos·2 | retain), Remaining Length
// (variable byte integer, 1–4 bytes), topic (u16 length + UTF-8), [QoS 1:
// packet id u16], [MQTT 5: property length 0], payload (UTF-8, the rest).

/** Largest Remaining Length a variable byte integer can carry (§1.5.5). */
const MAX_REMAINING = 268_435_455;

/** The DUP flag of a PUBLISH fixed header (§3.3.1.1): set on a QoS 1 packet sent again. */
export const DUP_FLAG = 0x08;

/** What take() hands back: the packets, and where each one ends in `bytes`. */
export type EncodedFrames = { bytes: Buffer; ends: number[] };

export class PublishFrames {
  private readonly mqtt5: boolean;
  // The topic's length prefix and bytes, encoded once per topic.
  private readonly topicBytes = new Map<string, Buffer>();
  private topics: Buffer[] = [];
  private payloads: string[] = [];
  private payloadLengths: number[] = [];
  private firstBytes: number[] = [];
  private packetIds: number[] = [];
  private bytes = 0;

  /** protocolVersion as mqtt.js connected with it (3, 4 or 5). */
  constructor(protocolVersion: number) {
    this.mqtt5 = protocolVersion === 5;
  }

  get count(): number {
    return this.topics.length;
  }

  /** A QoS 0 packet when `packetId` is 0, else a QoS 1 packet with that id (1–65535). */
  add(topic: string, payload: string, retain: boolean, packetId = 0): void {
    if (!Number.isInteger(packetId) || packetId < 0 || packetId > 0xffff) {
      throw new Error(`MQTT packet id ${packetId} is outside 1–65535`);
    }
    const topicBytes = this.encodedTopic(topic);
    const payloadLength = Buffer.byteLength(payload);
    const remaining = topicBytes.length + (packetId > 0 ? 2 : 0) + (this.mqtt5 ? 1 : 0) + payloadLength;
    if (remaining > MAX_REMAINING) {
      throw new Error(
        `MQTT payload of ${payloadLength} bytes on "${topic}" exceeds the protocol's 256 MB limit`,
      );
    }
    this.topics.push(topicBytes);
    this.payloads.push(payload);
    this.payloadLengths.push(payloadLength);
    this.firstBytes.push(0x30 | (packetId > 0 ? 0x02 : 0) | (retain ? 0x01 : 0));
    this.packetIds.push(packetId);
    this.bytes += 1 + varIntLength(remaining) + remaining;
  }

  /** Every packet added since the last take, as one buffer (undefined when none). */
  take(): EncodedFrames | undefined {
    const n = this.topics.length;
    if (n === 0) return undefined;
    const out = Buffer.allocUnsafe(this.bytes);
    const ends: number[] = new Array(n);
    const extra = this.mqtt5 ? 1 : 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const topic = this.topics[i]!;
      const payloadLength = this.payloadLengths[i]!;
      const packetId = this.packetIds[i]!;
      out[at++] = this.firstBytes[i]!;
      at = writeVarInt(out, at, topic.length + (packetId > 0 ? 2 : 0) + extra + payloadLength);
      at += topic.copy(out, at);
      if (packetId > 0) at = out.writeUInt16BE(packetId, at);
      if (extra) out[at++] = 0; // MQTT 5: no properties
      at += out.write(this.payloads[i]!, at, payloadLength, "utf8");
      ends[i] = at;
    }
    this.topics = [];
    this.payloads = [];
    this.payloadLengths = [];
    this.firstBytes = [];
    this.packetIds = [];
    this.bytes = 0;
    return { bytes: out, ends };
  }

  private encodedTopic(topic: string): Buffer {
    let bytes = this.topicBytes.get(topic);
    if (bytes === undefined) {
      const length = Buffer.byteLength(topic);
      if (length > 0xffff) throw new Error(`MQTT topic of ${length} bytes exceeds the protocol's 65,535`);
      bytes = Buffer.allocUnsafe(2 + length);
      bytes.writeUInt16BE(length, 0);
      bytes.write(topic, 2, "utf8");
      this.topicBytes.set(topic, bytes);
    }
    return bytes;
  }
}

function varIntLength(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4;
}

function writeVarInt(out: Buffer, at: number, n: number): number {
  let rest = n;
  do {
    let byte = rest % 0x80;
    rest = Math.floor(rest / 0x80);
    if (rest > 0) byte |= 0x80;
    out[at++] = byte;
  } while (rest > 0);
  return at;
}
