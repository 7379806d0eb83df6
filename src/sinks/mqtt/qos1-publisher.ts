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

/** Packet ids are 1–65535 (§2.2.1): the state of each lives in slot `id` of the arrays below. */
const ID_SLOTS = 65_536;

export class Qos1Publisher {
  private readonly transport: Qos1Transport;
  private readonly frames: PublishFrames;
  // The state of every packet without a PUBACK, by packet id, in preallocated arrays instead of an
  // object and a Map entry per message: at 20k messages/s with up to 10,000 in flight those objects
  // survived young-generation GCs only to die at their PUBACK, and made each scavenge copy them.
  /** The completion callback; undefined = the id is not ours (free, or mqtt.js's own). */
  private readonly doneOf: (((err?: Error) => void) | undefined)[] = new Array(ID_SLOTS).fill(undefined);
  /**
   * The buffer a packet is encoded in (undefined until its batch was flushed), and where in it:
   * offsets, not a subarray per packet.
   */
  private readonly bytesOf: (Buffer | undefined)[] = new Array(ID_SLOTS).fill(undefined);
  private readonly startOf = new Int32Array(ID_SLOTS);
  private readonly endOf = new Int32Array(ID_SLOTS);
  /** Whether the packet reached the socket (a resend then carries DUP). */
  private readonly sentOf = new Uint8Array(ID_SLOTS);
  /** The order add() saw the packets in: a resend keeps it. */
  private readonly orderOf = new Float64Array(ID_SLOTS);
  private added = 0;
  private pendingCount = 0;
  private batchIds: number[] = [];
  private flushScheduled = false;

  constructor(transport: Qos1Transport, protocolVersion: number) {
    this.transport = transport;
    this.frames = new PublishFrames(protocolVersion);
  }

  /** Packets written or waiting to be, without a PUBACK yet. */
  get inFlight(): number {
    return this.pendingCount;
  }

  /** Queue one QoS 1 PUBLISH; `done()` on its PUBACK, `done(err)` if it cannot be sent at all. */
  add(topic: string, payload: string, retain: boolean, done: (err?: Error) => void): void {
    const id = this.transport.allocateId();
    if (id === null || this.doneOf[id] !== undefined) {
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
    this.doneOf[id] = done;
    this.bytesOf[id] = undefined;
    this.sentOf[id] = 0;
    this.orderOf[id] = ++this.added;
    this.pendingCount++;
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
    const sent = this.transport.write(taken.bytes) ? 1 : 0;
    let start = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const end = taken.ends[i]!;
      // Acknowledged (or refused) before its batch was flushed: nothing to keep.
      if (this.doneOf[id] !== undefined) {
        this.bytesOf[id] = taken.bytes;
        this.startOf[id] = start;
        this.endOf[id] = end;
        this.sentOf[id] = sent;
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
    const done = this.doneOf[packetId];
    if (done === undefined) return false;
    this.doneOf[packetId] = undefined;
    this.bytesOf[packetId] = undefined;
    this.pendingCount--;
    this.transport.releaseId(packetId);
    done(
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
    if (this.pendingCount === 0) return;
    // Rare (once per reconnect): find the ids and put them back in the order they were added.
    const ids: number[] = [];
    let length = 0;
    for (let id = 1; id < ID_SLOTS; id++) {
      if (this.doneOf[id] === undefined || this.bytesOf[id] === undefined) continue;
      ids.push(id);
      length += this.endOf[id]! - this.startOf[id]!;
    }
    if (length === 0) return;
    ids.sort((a, b) => this.orderOf[a]! - this.orderOf[b]!);
    // A new buffer: the DUP flag must not change one a dead socket may still hold.
    const bytes = Buffer.allocUnsafe(length);
    let at = 0;
    for (const id of ids) {
      const start = this.startOf[id]!;
      const end = this.endOf[id]!;
      this.bytesOf[id]!.copy(bytes, at, start, end);
      if (this.sentOf[id]) bytes[at] = bytes[at]! | DUP_FLAG;
      this.bytesOf[id] = bytes;
      this.startOf[id] = at;
      this.endOf[id] = at + (end - start);
      at += end - start;
    }
    const sent = this.transport.write(bytes);
    if (sent) for (const id of ids) this.sentOf[id] = 1;
  }
}
