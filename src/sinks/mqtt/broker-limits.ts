// Counters that bound what clients other than the gateway can make the
// embedded broker hold: retained messages (topics and bytes) and open
// connections per address and per user. Plain bookkeeping, no sockets, so
// broker-core.ts stays about wiring and these stay testable alone.

/**
 * The retained messages clients have left on the broker, by topic. A
 * retained publish that would add a topic beyond `maxTopics` or grow the
 * total beyond `maxBytes` is refused; replacing a topic only counts the
 * difference, and an empty retained payload (the MQTT way to clear one)
 * frees its share.
 */
export class RetainedBudget {
  readonly #sizes = new Map<string, number>();
  #bytes = 0;
  readonly maxTopics: number;
  readonly maxBytes: number;

  constructor(limits: { maxTopics: number; maxBytes: number }) {
    this.maxTopics = limits.maxTopics;
    this.maxBytes = limits.maxBytes;
  }

  get topics(): number {
    return this.#sizes.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Record a retained publish; returns why it is refused, or undefined (and counts it). */
  admit(topic: string, payloadBytes: number): string | undefined {
    const before = this.#sizes.get(topic);
    if (payloadBytes === 0) {
      if (before !== undefined) {
        this.#sizes.delete(topic);
        this.#bytes -= before;
      }
      return undefined;
    }
    // The topic name is held too; count it so that long names cannot get around the byte bound.
    const size = payloadBytes + topic.length;
    if (before === undefined && this.#sizes.size >= this.maxTopics) {
      return `the broker holds its limit of ${this.maxTopics} retained topics from clients`;
    }
    const after = this.#bytes - (before ?? 0) + size;
    if (after > this.maxBytes) {
      return `the broker holds its limit of ${this.maxBytes} bytes of retained messages from clients`;
    }
    this.#sizes.set(topic, size);
    this.#bytes = after;
    return undefined;
  }
}

/** Open connections per key (an address, a user name) against one limit. */
export class ConnectionCounter {
  readonly #open = new Map<string, number>();
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Count one more for `key` unless it is at the limit; the caller must release() what it took. */
  take(key: string): boolean {
    const n = this.#open.get(key) ?? 0;
    if (n >= this.limit) return false;
    this.#open.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = this.#open.get(key) ?? 0;
    if (n <= 1) this.#open.delete(key);
    else this.#open.set(key, n - 1);
  }

  count(key: string): number {
    return this.#open.get(key) ?? 0;
  }
}

/** One IPv4 client seen over an IPv6 socket (`::ffff:10.0.0.5`) counts as 10.0.0.5. */
export function clientAddress(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return "unknown";
  return remoteAddress.startsWith("::ffff:") ? remoteAddress.slice(7) : remoteAddress;
}
