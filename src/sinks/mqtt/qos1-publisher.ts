import { DUP_FLAG, PublishFrames } from "./publish-frames.ts";

// QoS 1 publishes written by the sink itself, many packets per socket write
// (publish-frames.ts says why), with the state QoS 1 needs kept here:
//
// - a packet id per message, taken from the same provider as mqtt.js's own
//   QoS 1 publishes (status, retained state on connect), so the two never
//   share an id while both are in flight;
// - the encoded packet until its PUBACK arrives: `done()` is called only then,
//   which is what lets the outbox forget the message (the caller's window,
//   publish-queue.ts, bounds how many are in flight);
// - after a reconnect, resend() writes every packet that went out and got no
//   PUBACK again, in the original order and with the DUP flag (§4.4), before
//   anything new. Packets that never reached the socket go out without it.
//
// The packets of one turn of the event loop (one pipeline output or one
// outbox pump) are written together: add() collects, a microtask flushes.

export type Qos1Transport = {
  /** Hands bytes to the socket; false when the connection is down (nothing written). */
  write(bytes: Buffer): boolean;
  /** The next free packet id (mqtt.js's messageIdProvider), null when none is left. */
  allocateId(): number | null;
  releaseId(id: number): void;
};

type Pending = {
  /**
   * The buffer its packet is encoded in (undefined until its batch was
   * flushed), and where in it: offsets, not a subarray per packet (a Buffer
   * object per message was 7 % of the gateway's CPU at 20k messages/s).
   */
  bytes: Buffer | undefined;
  start: number;
  end: number;
  /** Whether the packet reached the socket (a resend then carries DUP). */
  sent: boolean;
  done: (err?: Error) => void;
};

export class Qos1Publisher {
  private readonly transport: Qos1Transport;
  private readonly frames: PublishFrames;
  // Insertion order is the order the packets were (or will be) written in.
  private readonly pending = new Map<number, Pending>();
  private batchIds: number[] = [];
  private flushScheduled = false;

  constructor(transport: Qos1Transport, protocolVersion: number) {
    this.transport = transport;
    this.frames = new PublishFrames(protocolVersion);
  }

  /** Packets written or waiting to be, without a PUBACK yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Queue one QoS 1 PUBLISH; `done()` on its PUBACK, `done(err)` if it cannot be sent at all. */
  add(topic: string, payload: string, retain: boolean, done: (err?: Error) => void): void {
    const id = this.transport.allocateId();
    if (id === null || this.pending.has(id)) {
      done(new Error("no free MQTT packet id: 65,535 QoS 1 messages are waiting for PUBACK"));
      return;
    }
    try {
      this.frames.add(topic, payload, retain, id);
    } catch (err) {
      this.transport.releaseId(id);
      done(err as Error);
      return;
    }
    this.pending.set(id, { bytes: undefined, start: 0, end: 0, sent: false, done });
    this.batchIds.push(id);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Writes what add() collected, in one write. Runs by itself after the current turn; callable early. */
  readonly flush = (): void => {
    this.flushScheduled = false;
    const taken = this.frames.take();
    if (!taken) return;
    const ids = this.batchIds;
    this.batchIds = [];
    const sent = this.transport.write(taken.bytes);
    let start = 0;
    for (let i = 0; i < ids.length; i++) {
      const end = taken.ends[i]!;
      const p = this.pending.get(ids[i]!);
      if (p) {
        p.bytes = taken.bytes;
        p.start = start;
        p.end = end;
        p.sent = sent;
      }
      start = end;
    }
  };

  /**
   * A PUBACK arrived. Returns false when the id is not one of ours (mqtt.js's
   * own publishes share the id space). A reason code ≥ 0x80 (MQTT 5) is a
   * refusal: `done(err)`, and the caller delivers again.
   */
  acknowledge(packetId: number, reasonCode = 0): boolean {
    const p = this.pending.get(packetId);
    if (!p) return false;
    this.pending.delete(packetId);
    this.transport.releaseId(packetId);
    p.done(
      reasonCode >= 0x80 ? new Error(`broker refused the publish (reason code ${reasonCode})`) : undefined,
    );
    return true;
  }

  /**
   * After a reconnect: every packet without a PUBACK again, in order, as one
   * write; DUP on those that had been sent. Call before publishing anything new.
   */
  resend(): void {
    this.flush();
    let length = 0;
    for (const p of this.pending.values()) if (p.bytes) length += p.end - p.start;
    if (length === 0) return;
    // A new buffer: the DUP flag must not change one a dead socket may still hold.
    const bytes = Buffer.allocUnsafe(length);
    let at = 0;
    for (const p of this.pending.values()) {
      if (!p.bytes) continue;
      p.bytes.copy(bytes, at, p.start, p.end);
      if (p.sent) bytes[at] = bytes[at]! | DUP_FLAG;
      p.bytes = bytes;
      p.end = at + (p.end - p.start);
      p.start = at;
      at = p.end;
    }
    const sent = this.transport.write(bytes);
    if (sent) for (const p of this.pending.values()) if (p.bytes) p.sent = true;
  }
}
