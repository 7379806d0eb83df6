import type { Outbox } from "./outbox-types.ts";

// Durable delivery for a message transport (MQTT): the sink enqueues the
// messages of one pipeline output as one outbox entry; the queue hands them to
// the transport in order, keeps at most `window` unconfirmed messages in
// flight, and acknowledges an entry in the outbox only when the transport
// confirmed every message of it (PUBACK for QoS 1).

export type QueuedMessage = { topic: string; payload: string; qos: 0 | 1; retain: boolean };

/**
 * Hand one message to the transport. Call `done()` once the receiver
 * confirmed it (QoS 1: PUBACK), `done(err)` if it never will be.
 * QoS 0 messages count as delivered when handed over (at most once).
 */
export type PublishFn = (message: QueuedMessage, done: (err?: Error) => void) => void;

export type PublishQueueStats = {
  /** Messages handed to the transport (retries included). */
  published: number;
  /** Messages the transport confirmed (or QoS 0 handed over). */
  confirmed: number;
  /** Messages the transport gave up on (redelivered later). */
  failed: number;
};

/**
 * Batches kept for the pump by remember(): more than a window's worth of the typical output, and
 * at most this many characters of bodies (a pump that keeps up takes each at once; one that does
 * not decodes from the files, so this only bounds what is held for nothing).
 */
const RECENT_BATCHES = 1024;
const RECENT_CHARS = 8 * 1024 * 1024;

type InFlight = { id: number; remaining: number; failed: boolean };

// An entry's body: per message `<flags><topic length>:<topic><payload length>:<payload>`,
// flags = qos + 2·retain as one digit. Lengths in UTF-16 units: no escaping,
// whatever characters a topic or payload holds.
export function encodeMessages(messages: readonly QueuedMessage[]): string {
  let s = "";
  for (const m of messages) {
    s += `${m.qos + (m.retain ? 2 : 0)}${m.topic.length}:${m.topic}${m.payload.length}:${m.payload}`;
  }
  return s;
}

export function decodeMessages(body: string): QueuedMessage[] {
  const out: QueuedMessage[] = [];
  let at = 0;
  const field = (): string => {
    const colon = body.indexOf(":", at);
    // The decimal length read in place: a slice + Number() per field was a string allocation per
    // topic and payload, at 20k messages/s.
    let length = colon > at ? 0 : Number.NaN;
    for (let i = at; i < colon; i++) {
      const digit = body.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) {
        length = Number.NaN;
        break;
      }
      length = length * 10 + digit;
    }
    if (colon < 0 || !Number.isInteger(length)) throw new Error(`damaged message batch at ${at}`);
    const value = body.slice(colon + 1, colon + 1 + length);
    at = colon + 1 + length;
    return value;
  };
  while (at < body.length) {
    const flags = body.charCodeAt(at) - 48;
    at++;
    if (flags < 0 || flags > 3) throw new Error(`damaged message batch at ${at - 1}`);
    const topic = field();
    const payload = field();
    out.push({ topic, payload, qos: (flags & 1) as 0 | 1, retain: (flags & 2) !== 0 });
  }
  return out;
}

export class PublishQueue {
  readonly outbox: Outbox;
  readonly stats: PublishQueueStats = { published: 0, confirmed: 0, failed: 0 };
  private readonly window: number;
  private publish: PublishFn | undefined;
  private open = false;
  /** Last entry id handed to the transport. */
  private cursor = 0;
  private inflightMessages = 0;
  private readonly inflight = new Map<number, InFlight>();
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];
  /**
   * The messages of the batches enqueued lately, by their encoded body: the
   * outbox hands a record it just wrote back with the very string it was given
   * (sink-outbox.ts), so the pump takes the messages from here instead of
   * decoding them again. Found by content, so a hit is the same messages by
   * construction; a body read from the files after a restart is decoded.
   */
  private readonly recent = new Map<string, readonly QueuedMessage[]>();
  private recentChars = 0;

  constructor(opts: { outbox: Outbox; window?: number }) {
    this.outbox = opts.outbox;
    this.window = opts.window ?? 2000;
    // New entries are readable once on disk: at once outside a shared-log batch,
    // at the end of the batch inside one (every sink's section in one write).
    this.outbox.onAppended(() => {
      if (this.open) this.pump();
    });
  }

  /**
   * Store one batch durably (see Outbox.append); delivery follows when the transport is open. The
   * messages are handed to the transport as given: do not change them afterwards.
   */
  enqueue(messages: readonly QueuedMessage[], seqMax?: number): boolean {
    if (messages.length === 0) return true;
    const body = encodeMessages(messages);
    // Before the append: inside it (outside a shared-log batch) the record is written and pumped.
    this.remember(body, messages);
    if (this.outbox.append(body, messages.length, seqMax)) return true;
    this.forget(body);
    return false;
  }

  /**
   * The transport is connected: start (or continue) delivering. Messages still
   * in flight from before stay with the transport (mqtt.js resends unconfirmed
   * QoS 1 packets itself after a reconnect).
   */
  resume(publish: PublishFn): void {
    this.publish = publish;
    this.open = true;
    this.pump();
  }

  /** The transport is down: hand out nothing more until resume(). */
  pause(): void {
    this.open = false;
    // Nothing is pumped until the reconnect: the backlog is read from the files then.
    this.recent.clear();
    this.recentChars = 0;
  }

  /**
   * Forget what is in flight and deliver again from the oldest unconfirmed
   * entry: for a transport that lost its in-flight messages. Duplicates are
   * possible (at-least-once; `seq` identifies them).
   */
  redeliver(): void {
    this.inflight.clear();
    this.inflightMessages = 0;
    this.cursor = this.outbox.deliveredThrough();
    if (this.open) this.pump();
  }

  /** Messages handed over and not yet confirmed. */
  inFlight(): number {
    return this.inflightMessages;
  }

  /** Resolves when everything in the outbox is confirmed, or after timeoutMs (false). */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(wake);
    });
  }

  private isIdle(): boolean {
    return this.inflight.size === 0 && this.outbox.depth() === 0;
  }

  private pump(): void {
    const publish = this.publish;
    if (!publish) return;
    while (this.open && this.inflightMessages < this.window) {
      const entries = this.outbox.peek(this.cursor, 16);
      if (entries.length === 0) break;
      for (const entry of entries) {
        this.cursor = entry.id;
        let messages = this.recent.get(entry.body);
        if (messages) this.forget(entry.body);
        else {
          try {
            messages = decodeMessages(entry.body);
          } catch {
            messages = []; // cannot happen unless the file was edited; skip rather than block the queue
          }
        }
        const flight: InFlight = { id: entry.id, remaining: messages.length + 1, failed: false };
        this.inflight.set(entry.id, flight);
        this.inflightMessages += messages.length;
        // One callback for all messages of the entry, not a closure per message.
        const settle = (err?: Error): void => this.settleMessage(flight, err);
        for (const m of messages) {
          this.stats.published++;
          if (m.qos === 0) {
            publish(m, () => {});
            this.settleMessage(flight, undefined);
          } else {
            publish(m, settle);
          }
        }
        this.finish(flight); // the +1 above: an entry completes only after all were handed over
      }
    }
  }

  /** Keeps the newest batches only: a transport that is down lets them age out (then decoded from the files). */
  private remember(body: string, messages: readonly QueuedMessage[]): void {
    if (!this.open || body.length > RECENT_CHARS) return; // not pumped now: from the files later
    this.forget(body);
    while (this.recent.size >= RECENT_BATCHES || this.recentChars + body.length > RECENT_CHARS) {
      const oldest = this.recent.keys().next();
      if (oldest.done) break;
      this.forget(oldest.value);
    }
    this.recent.set(body, messages);
    this.recentChars += body.length;
  }

  private forget(body: string): void {
    if (this.recent.delete(body)) this.recentChars -= body.length;
  }

  private settleMessage(flight: InFlight, err: Error | undefined): void {
    if (this.inflight.get(flight.id) !== flight) return; // forgotten by redeliver()
    this.inflightMessages--;
    if (err) {
      flight.failed = true;
      this.stats.failed++;
    } else {
      this.stats.confirmed++;
    }
    this.finish(flight);
  }

  private finish(flight: InFlight): void {
    flight.remaining--;
    if (flight.remaining > 0 || this.inflight.get(flight.id) !== flight) return;
    this.inflight.delete(flight.id);
    if (flight.failed) {
      // Rare (the client was closed hard): deliver again from the oldest unconfirmed entry.
      this.redeliver();
      return;
    }
    this.outbox.ack([flight.id]);
    this.schedulePump();
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      this.outbox.flushAcks();
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled || !this.open) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }
}
