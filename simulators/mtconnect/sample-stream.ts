import type { ServerResponse } from "node:http";
import type { ObservationFilter } from "./agent-buffer.ts";
import type { SimDevice } from "./device-model.ts";
import { type AgentInfo, errorXml, streamsXml } from "./documents.ts";
import { type FaultPlan, HTML_PAGE, MALFORMED_XML } from "./faults.ts";

// One streaming /sample?interval= response: a multipart body whose parts are
// MTConnectStreams documents, sent when new observations arrive (no more often
// than `interval`) or as an empty heartbeat after `heartbeat` ms of quiet.
// Like a real agent it waits for the socket to drain before reading on, so a
// slow client's cursor falls behind the ring buffer and gets OUT_OF_RANGE.

export type SampleStreamOptions = {
  info: () => AgentInfo;
  devices: readonly SimDevice[];
  res: ServerResponse;
  boundary: string;
  from: number;
  count: number;
  intervalMs: number;
  heartbeatMs: number;
  filter: ObservationFilter | undefined;
  faults: FaultPlan;
};

export class SampleStream {
  private readonly o: SampleStreamOptions;
  private cursor: number;
  private lastSend = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private waitingDrain = false;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(o: SampleStreamOptions) {
    this.o = o;
    this.cursor = o.from;
    this.unsubscribe = o.info().buffer.onAppend(() => this.schedule(0));
    o.res.once("close", () => this.close());
    o.res.on("drain", () => {
      this.waitingDrain = false;
      this.schedule(0);
    });
    this.flush(); // the first part goes out at once, data or heartbeat
  }

  /**
   * End the stream: with `last` bytes (the closing delimiter) gracefully, else
   * by dropping the connection (agent shutdown / restart).
   */
  close(last?: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.unsubscribe();
    if (last === undefined) this.o.res.destroy();
    else this.o.res.end(last);
  }

  /** Flush in `delayMs` (not before `interval` after the last part); an earlier request replaces a later one. */
  private schedule(delayMs: number): void {
    if (this.closed) return;
    const now = Date.now();
    const wait = Math.max(delayMs, this.lastSend + this.o.intervalMs - now, 0);
    if (this.timer) {
      if (this.timerAt <= now + wait) return;
      clearTimeout(this.timer);
    }
    this.timerAt = now + wait;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (this.closed || this.waitingDrain) return;
    const now = Date.now();
    const f = this.o.faults;
    if (f.stallUntil > now) {
      this.schedule(f.stallUntil - now);
      return;
    }
    const info = this.o.info();
    const buffer = info.buffer;
    if (f.holdUntil > now) {
      // A slow consumer: the agent cannot write, so it does not read on either.
      this.schedule(f.holdUntil - now);
      return;
    }
    if (this.cursor < buffer.firstSequence) {
      this.writePart(
        errorXml(info, "OUT_OF_RANGE", `'from' must be greater than ${buffer.firstSequence - 1}`),
      );
      this.close(`\r\n--${this.o.boundary}--\r\n`);
      return;
    }
    const { observations, next } = buffer.range(this.cursor, this.o.count, this.o.filter);
    if (observations.length === 0 && now - this.lastSend < this.o.heartbeatMs && this.lastSend !== 0) {
      this.cursor = next;
      this.schedule(this.lastSend + this.o.heartbeatMs - now);
      return;
    }
    this.cursor = next;
    this.sendDocument(info, observations, next);
    if (next < buffer.nextSequence) this.schedule(0);
    else this.schedule(this.o.heartbeatMs);
  }

  private sendDocument(info: AgentInfo, observations: Parameters<typeof streamsXml>[2], next: number): void {
    const fault = this.o.faults.take("stream");
    const doc = () => streamsXml(info, this.o.devices, observations, next);
    switch (fault) {
      case "malformed":
        this.writePart(MALFORMED_XML);
        return;
      case "wrongContentType":
        this.writePart(HTML_PAGE, "text/html");
        return;
      case "huge":
        this.writePart(
          streamsXml(info, this.o.devices, observations, next, "x".repeat(this.o.faults.hugeBytes)),
        );
        return;
      case "truncated": {
        const body = Buffer.from(doc());
        this.writeRaw(
          `--${this.o.boundary}\r\nContent-type: text/xml\r\nContent-length: ${body.length}\r\n\r\n`,
        );
        this.writeRaw(body.subarray(0, Math.floor(body.length / 2)));
        this.writeRaw("\r\n");
        // The rest never comes; the next (heartbeat) part follows right away.
        this.writePart(streamsXml(info, this.o.devices, [], next));
        return;
      }
      default:
        this.writePart(doc());
        return;
    }
  }

  private writePart(body: string, type = "text/xml"): void {
    const bytes = Buffer.from(body);
    this.writeRaw(`--${this.o.boundary}\r\nContent-type: ${type}\r\nContent-length: ${bytes.length}\r\n\r\n`);
    this.writeRaw(bytes);
    this.writeRaw("\r\n");
    this.lastSend = Date.now();
  }

  private writeRaw(chunk: string | Buffer): void {
    if (this.closed) return;
    if (!this.o.res.write(chunk)) this.waitingDrain = true;
  }
}
