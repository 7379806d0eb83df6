import type { Reading } from "../../core/observation.ts";
import type { SignalId } from "../../core/signals.ts";
import { convertShdrRecord, type ShdrConvertReport, unavailableReadings } from "./convert.ts";
import type { ShdrKeyMap } from "./key-map.ts";
import { ShdrLineFramer } from "./line-framer.ts";
import { type ShdrAssetRecord, type ShdrDataRecord, ShdrLineParser } from "./line-parser.ts";

// One machine's SHDR byte stream → readings, without sockets or timers:
// framing, parsing, conversion, and what a lost connection means. The adapter
// feeds it from a TCP socket; the golden test feeds it a captured log, so
// both go through exactly the same path.

export type ShdrStreamHandlers = {
  /** Bad input (already counted in `counters.errors`). */
  problem?(reason: string): void;
  /** A protocol line such as `* PONG 10000`. */
  command?(command: string, value: string): void;
  asset?(record: ShdrAssetRecord): void;
  /** Items of keys beyond the key map's bound were dropped (already counted in `counters.dropped`). */
  dropped?(items: number, keysKnown: number): void;
};

export type ShdrStreamCounters = {
  lines: number;
  readings: number;
  errors: number;
  assetCommands: number;
  protocolLines: number;
  /** Items of keys configured `ignore: true`. */
  ignored: number;
  /** Items dropped because their key came after the key map was full (maxKeys). */
  dropped: number;
};

export type ShdrStreamOptions = {
  machine: string;
  keyMap: ShdrKeyMap;
  maxLineBytes?: number;
  /** Most fields one line may have (see ShdrLineParserOptions.maxFields). */
  maxFieldsPerLine?: number;
  handlers?: ShdrStreamHandlers;
};

export class ShdrStream {
  readonly counters: ShdrStreamCounters = {
    lines: 0,
    readings: 0,
    errors: 0,
    assetCommands: 0,
    protocolLines: 0,
    ignored: 0,
    dropped: 0,
  };
  readonly #machine: string;
  readonly #keyMap: ShdrKeyMap;
  readonly #handlers: ShdrStreamHandlers;
  readonly #framer: ShdrLineFramer;
  readonly #parser: ShdrLineParser;
  readonly #framerSink = {
    line: (text: string) => this.#onLine(text),
    error: (why: string) => this.#problem(why),
  };
  /** Signal → source key of everything emitted since the last outage, to null them on the next. */
  readonly #seen = new Map<SignalId, string>();
  readonly #conditionKeys = new Set<string>();
  /** The next data record is the first since start or since an outage. */
  #firstRecord = true;
  /** The outage readings were produced and no data has arrived since. */
  #unavailable = false;
  #out: Reading[] = [];
  #rx = 0;

  constructor(options: ShdrStreamOptions) {
    this.#machine = options.machine;
    this.#keyMap = options.keyMap;
    this.#handlers = options.handlers ?? {};
    this.#framer = new ShdrLineFramer(options.maxLineBytes);
    this.#parser = new ShdrLineParser({
      keyType: options.keyMap.typeOf,
      maxBlockChars: options.maxLineBytes,
      maxFields: options.maxFieldsPerLine,
    });
  }

  /** Distinct keys that map to no catalogue signal (flowing as raw.<key>). */
  get unmappedKeys(): number {
    return this.#keyMap.unmappedKeys;
  }

  /** Bytes as received; returns the readings of every line they complete, in order. */
  push(chunk: Buffer, rx: number): Reading[] {
    this.#rx = rx;
    this.#out = [];
    this.#framer.push(chunk, this.#framerSink);
    return this.#take();
  }

  /** One line (without LF), for callers that already framed the stream. */
  pushLine(line: string, rx: number): Reading[] {
    this.#rx = rx;
    this.#out = [];
    this.#onLine(line);
    return this.#take();
  }

  /**
   * The connection is gone: drop any half line or --multiline-- block and
   * return what that means as data (see unavailableReadings), once per
   * outage — repeated failures while offline return nothing.
   */
  connectionLost(now: number): Reading[] {
    this.#framer.reset();
    this.#parser.reset();
    if (this.#unavailable) return [];
    this.#unavailable = true;
    this.#firstRecord = true;
    const readings = unavailableReadings(this.#machine, this.#seen, this.#conditionKeys, now);
    this.#seen.clear();
    this.#conditionKeys.clear();
    this.counters.readings += readings.length;
    return readings;
  }

  #take(): Reading[] {
    const out = this.#out;
    this.#out = [];
    this.counters.readings += out.length;
    return out;
  }

  #onLine(line: string): void {
    this.counters.lines++;
    const record = this.#parser.parseLine(line, this.#rx);
    if (record === null) return;
    switch (record.kind) {
      case "data":
        this.#onRecord(record);
        break;
      case "asset":
        this.counters.assetCommands++;
        this.#handlers.asset?.(record);
        break;
      case "command":
        this.counters.protocolLines++;
        this.#handlers.command?.(record.command, record.value);
        break;
      case "error":
        this.#problem(record.reason);
        break;
    }
  }

  #onRecord(record: ShdrDataRecord): void {
    const out = this.#out;
    const first = out.length;
    if (this.#firstRecord) this.#impliedAvailability(record, out);
    this.#firstRecord = false;
    this.#unavailable = false;
    const report: ShdrConvertReport = { badValues: [], ignored: 0, dropped: 0 };
    convertShdrRecord(record, { machine: this.#machine, keyMap: this.#keyMap, rx: this.#rx }, out, report);
    for (const problem of record.problems) this.#problem(problem);
    for (const problem of report.badValues) this.#problem(problem);
    this.counters.ignored += report.ignored;
    if (report.dropped > 0) this.#dropped(report.dropped);
    for (let i = first; i < out.length; i++) {
      const r = out[i] as Reading;
      this.#seen.set(r.signal, r.source.ref);
      if (r.alarm) this.#conditionKeys.add(r.alarm.key);
    }
  }

  /**
   * Data from a machine that was offline (or never heard from) means it is
   * reachable. Most adapters send `avail` in their first line; for those that
   * never do, availability AVAILABLE is implied so the machine does not stay
   * offline. An `avail` in the same line wins (it is emitted after).
   */
  #impliedAvailability(record: ShdrDataRecord, out: Reading[]): void {
    for (const item of record.items) if (this.#keyMap.get(item.key).signal === "availability") return;
    out.push({
      machine: this.#machine,
      signal: "availability",
      value: "AVAILABLE",
      ts: record.ts,
      rx: this.#rx,
      quality: "good",
      source: { protocol: "shdr", ref: "connection" },
    });
  }

  /** Reported once per batch of drops (not per item): the log says what the counter counts. */
  #dropped(items: number): void {
    this.counters.dropped += items;
    this.#handlers.dropped?.(items, this.#keyMap.size);
  }

  #problem(reason: string): void {
    this.counters.errors++;
    this.#handlers.problem?.(reason);
  }
}
