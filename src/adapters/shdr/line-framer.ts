import { isUtf8 } from "node:buffer";

// TCP delivers SHDR as arbitrary chunks: a line may be split across chunks,
// a chunk may hold thousands of lines. The framer turns chunks into complete
// lines (without LF / CR LF), bounded by a line-length cap: an over-long
// line is reported once and the rest of it discarded up to its LF, so a
// runaway sender cannot grow memory. Bytes that are not UTF-8 make their line
// an error instead of silently becoming U+FFFD.

export type FramerSink = {
  line(text: string): void;
  error(reason: string): void;
};

const LF = 10;
const CR = 13;

export class ShdrLineFramer {
  readonly #maxLineBytes: number;
  /** Start of a line that has not seen its LF yet (its bytes so far). */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Inside an over-long line: drop bytes until the next LF. */
  #discarding = false;

  constructor(maxLineBytes = 1024 * 1024) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Drop any half line (the connection was closed). */
  reset(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#discarding = false;
  }

  push(chunk: Buffer, sink: FramerSink): void {
    let rest = chunk;
    if (this.#pendingBytes > 0 || this.#discarding) {
      // Finish the line begun in an earlier chunk first.
      const lf = chunk.indexOf(LF);
      if (lf < 0) {
        this.#keep(chunk, sink);
        return;
      }
      this.#finishPending(chunk.subarray(0, lf), sink);
      rest = chunk.subarray(lf + 1);
    }
    if (this.#pushWhole(rest, sink)) return;
    let start = 0;
    const n = rest.length;
    while (start < n) {
      const lf = rest.indexOf(LF, start);
      if (lf < 0) {
        this.#keep(rest.subarray(start), sink);
        return;
      }
      if (lf - start > this.#maxLineBytes) sink.error(this.#tooLong());
      else this.#emitRange(rest, start, lf, sink);
      start = lf + 1;
    }
  }

  #finishPending(piece: Buffer, sink: FramerSink): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (this.#pendingBytes + piece.length > this.#maxLineBytes) {
      sink.error(this.#tooLong());
    } else {
      this.#pending.push(piece);
      this.#emit(Buffer.concat(this.#pending, this.#pendingBytes + piece.length), sink);
    }
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /**
   * Fast path for the usual chunk (after any half line from before): its complete lines
   * together within the cap (so none can exceed it) and valid UTF-8 — one
   * check and one decode for all of them.
   */
  #pushWhole(chunk: Buffer, sink: FramerSink): boolean {
    const last = chunk.lastIndexOf(LF);
    if (last < 0 || last + 1 > this.#maxLineBytes) return false;
    const body = chunk.subarray(0, last);
    if (!isUtf8(body)) return false;
    const lines = body.toString("utf8").split("\n");
    for (const line of lines) {
      sink.line(line.length > 0 && line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line);
    }
    this.#keep(chunk.subarray(last + 1), sink);
    return true;
  }

  #keep(rest: Buffer, sink: FramerSink): void {
    if (this.#discarding || rest.length === 0) return;
    if (this.#pendingBytes + rest.length > this.#maxLineBytes) {
      sink.error(this.#tooLong());
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#discarding = true;
      return;
    }
    // Copy: the socket may reuse the chunk's memory.
    this.#pending.push(Buffer.from(rest));
    this.#pendingBytes += rest.length;
  }

  #tooLong(): string {
    return `line longer than ${this.#maxLineBytes} bytes: discarded up to its end (raise maxLineBytes if the adapter really sends such lines)`;
  }

  #emit(line: Buffer, sink: FramerSink): void {
    this.#emitRange(line, 0, line.length, sink);
  }

  #emitRange(buf: Buffer, start: number, end: number, sink: FramerSink): void {
    let e = end;
    if (e > start && buf[e - 1] === CR) e--;
    const bytes = buf.subarray(start, e);
    if (!isUtf8(bytes)) {
      sink.error(`line of ${bytes.length} bytes is not valid UTF-8: skipped`);
      return;
    }
    sink.line(bytes.toString("utf8"));
  }
}
