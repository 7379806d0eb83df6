// What a sink sees of the durable outbox: its own FIFO of batches. The same
// interface is served by a sink's view of the shared log (SinkOutbox) and by
// the single-sink DurableOutbox, so a sink never knows which one it has.

/** What happens when the outbox holds `maxBytes`: see README.md. */
export type WhenFull = "pause" | "drop-oldest";

export type OutboxEntry = {
  id: number;
  /** The sink's own encoding of a batch (MQTT messages, Influx points). */
  body: string;
  /** Observations/events/messages in the body (for counting). */
  items: number;
};

/** Counters and gauges of one sink's outbox (exported as maskinport_outbox_* metrics, label `sink`). */
export type OutboxStats = {
  /** Gauges: records not yet passed by this sink's delivered position; its undelivered items and section bytes. */
  entries: number;
  items: number;
  bytes: number;
  /** Counters (items): accepted, delivered (acknowledged), dropped (drop-oldest), rejected (refused). */
  appended: number;
  delivered: number;
  dropped: number;
  rejected: number;
  /** Failed disk writes of records holding this sink's data (the data is kept in memory and retried). */
  writeErrors: number;
  /** Items waiting in memory because the disk refused them. */
  memoryItems: number;
  /** pause policy: true while intake should stop (the whole log is full: the same for every sink). */
  paused: boolean;
  /** Times the log reached maxBytes (the same for every sink). */
  fullEpisodes: number;
};

export function emptyStats(): OutboxStats {
  return {
    entries: 0,
    items: 0,
    bytes: 0,
    appended: 0,
    delivered: 0,
    dropped: 0,
    rejected: 0,
    writeErrors: 0,
    memoryItems: 0,
    paused: false,
    fullEpisodes: 0,
  };
}

/** One sink's durable FIFO: what MqttSink (through PublishQueue) and InfluxSink use. */
export interface Outbox {
  /** The sink it serves ("mqtt", "influx"): logs and metrics. */
  readonly name: string;
  /** The outbox folder (outbox.path): for messages. */
  readonly path: string;
  readonly stats: OutboxStats;
  /**
   * Store one batch. Outside a batch of the shared log it is on disk when this
   * returns true; inside one (SharedOutbox.batch) it is written with the other
   * sinks' sections when the batch ends. False: refused (counted, logged).
   */
  append(body: string, items: number, seqMax?: number): boolean;
  /** Entries after `afterId`, oldest first. Pass the last id you were given, or 0 for the oldest undelivered. */
  peek(afterId: number, limit: number): OutboxEntry[];
  /** The broker/database confirmed these entries. Out-of-order acks wait for the ones before them. */
  ack(ids: Iterable<number>): void;
  /** Undelivered items (on disk, in memory and in the batch being assembled). */
  depth(): number;
  /** Everything up to this id is delivered: a consumer that lost track starts again after it. */
  deliveredThrough(): number;
  /** Age of the oldest undelivered entry in ms (0 when empty). Second resolution. */
  oldestAgeMs(): number;
  /** Highest observation seq ever appended to the log (a restarted pipeline continues after it). */
  lastSeq(): number;
  /** Save the delivered positions and delete delivered segment files now. */
  flushAcks(): void;
  /** Called after new entries of this sink reached the disk (peek finds them). */
  onAppended(listener: () => void): () => void;
}
