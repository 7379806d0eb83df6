// Frames a streaming /sample response (`multipart/x-mixed-replace` from 1.x
// agents, `multipart/mixed` from 2.x) into parts. A part ends after exactly
// its Content-length bytes — never where the XML seems to end — and its body is
// handed on in slices as the bytes arrive, so a part may be parsed while it is
// still coming in and is never copied whole. A part without Content-length is
// read up to the next boundary (lenient, for odd agents). TCP chunk borders may
// fall anywhere, including inside the boundary or the part headers.

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MultipartError";
  }
}

export type PartHandlers = {
  /** Headers are lower-cased names. `length` is Content-length, if given. */
  partStart(headers: ReadonlyMap<string, string>, length: number | undefined): void;
  partData(chunk: Buffer): void;
  partEnd(): void;
};

export type FramerOptions = {
  /** A part larger than this is an error (the stream cannot be trusted after it). */
  maxPartBytes: number;
  /** Junk tolerated before the first boundary or between parts. */
  maxGapBytes?: number;
  maxHeaderBytes?: number;
};

/** `multipart/x-mixed-replace;boundary=abc` → "abc"; undefined if not a multipart type with a boundary. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/(x-mixed-replace|mixed)\s*(;|$)/i.test(contentType)) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

type State = "seekBoundary" | "afterBoundary" | "headers" | "body" | "bodyToBoundary" | "done";

const CRLF_CRLF = Buffer.from("\r\n\r\n");
const LF_LF = Buffer.from("\n\n");

export class MultipartFramer {
  private readonly delimiter: Buffer;
  /** "\r\n--boundary": how a part without Content-length ends. */
  private readonly bodyDelimiter: Buffer;
  private readonly handlers: PartHandlers;
  private readonly maxPartBytes: number;
  private readonly maxGapBytes: number;
  private readonly maxHeaderBytes: number;
  private state: State = "seekBoundary";
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private partBytes = 0;
  private partLength: number | undefined;
  private gapBytes = 0;
  parts = 0;

  constructor(boundary: string, handlers: PartHandlers, options: FramerOptions) {
    this.delimiter = Buffer.from(`--${boundary}`);
    this.bodyDelimiter = Buffer.from(`\r\n--${boundary}`);
    this.handlers = handlers;
    this.maxPartBytes = options.maxPartBytes;
    this.maxGapBytes = options.maxGapBytes ?? 4096;
    this.maxHeaderBytes = options.maxHeaderBytes ?? 16_384;
  }

  /** True while a part has started but not ended (a stream that stops here was cut mid-part). */
  get insidePart(): boolean {
    return this.state === "body" || this.state === "bodyToBoundary";
  }

  /** Feed the next bytes. Throws MultipartError on a framing error. */
  push(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0 && this.state !== "done") {
      const used = this.step(buf);
      if (used < 0) {
        this.pending = buf; // need more bytes
        return;
      }
      buf = buf.subarray(used);
    }
  }

  /** The stream ended. Throws if it ended inside a part. */
  end(): void {
    if (this.state === "body") {
      throw new MultipartError(
        `stream ended inside part ${this.parts + 1}: got ${this.partBytes} of ${this.partLength} bytes (truncated part)`,
      );
    }
    if (this.state === "bodyToBoundary" || this.state === "headers") {
      throw new MultipartError(`stream ended inside part ${this.parts + 1} (truncated part)`);
    }
  }

  /** Consume from `buf`; returns bytes used, or -1 when more input is needed. */
  private step(buf: Buffer): number {
    switch (this.state) {
      case "seekBoundary":
        return this.seekBoundary(buf);
      case "afterBoundary":
        return this.afterBoundary(buf);
      case "headers":
        return this.readHeaders(buf);
      case "body":
        return this.readBody(buf);
      case "bodyToBoundary":
        return this.readBodyToBoundary(buf);
      default:
        return buf.length;
    }
  }

  private seekBoundary(buf: Buffer): number {
    const at = buf.indexOf(this.delimiter);
    const gapEnd = at < 0 ? Math.max(0, buf.length - this.delimiter.length) : at;
    // Only line breaks and transport padding may sit between parts. Anything
    // else means the previous part was longer than its Content-length said.
    for (let i = 0; i < gapEnd; i++) {
      const c = buf[i];
      if (c !== 0x0d && c !== 0x0a && c !== 0x20 && c !== 0x09) {
        if (this.parts > 0) {
          throw new MultipartError(
            `unexpected data after part ${this.parts} (its Content-length does not match its body; part corrupt or truncated)`,
          );
        }
      }
    }
    this.gapBytes += gapEnd;
    if (this.gapBytes > this.maxGapBytes) {
      throw new MultipartError(`no multipart boundary found within ${this.maxGapBytes} bytes`);
    }
    if (at < 0) return gapEnd === 0 ? -1 : gapEnd;
    this.gapBytes = 0;
    this.state = "afterBoundary";
    return at + this.delimiter.length;
  }

  private afterBoundary(buf: Buffer): number {
    if (buf.length < 2) return -1;
    if (buf[0] === 0x2d && buf[1] === 0x2d) {
      this.state = "done"; // closing delimiter "--boundary--"
      return buf.length;
    }
    const eol = buf.indexOf(0x0a);
    if (eol < 0) return buf.length > 256 ? this.fail("boundary line too long") : -1;
    this.state = "headers";
    return eol + 1;
  }

  private readHeaders(buf: Buffer): number {
    // A part with no headers starts its blank line right away.
    let end: number;
    let sep: number;
    if (buf[0] === 0x0a) [end, sep] = [0, 1];
    else if (buf[0] === 0x0d && buf[1] === 0x0a) [end, sep] = [0, 2];
    else {
      const crlf = buf.indexOf(CRLF_CRLF);
      const lf = buf.indexOf(LF_LF);
      if (crlf >= 0 && (lf < 0 || crlf < lf)) [end, sep] = [crlf, 4];
      else if (lf >= 0) [end, sep] = [lf, 2];
      else return buf.length > this.maxHeaderBytes ? this.fail("part headers too long") : -1;
    }
    const headers = new Map<string, string>();
    for (const line of buf.toString("latin1", 0, end).split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const lengthText = headers.get("content-length");
    let length: number | undefined;
    if (lengthText !== undefined) {
      if (!/^\d+$/.test(lengthText))
        this.fail(`bad Content-length "${lengthText}" in part ${this.parts + 1}`);
      length = Number(lengthText);
      if (length > this.maxPartBytes) {
        this.fail(
          `part ${this.parts + 1} is ${length} bytes, over the limit of ${this.maxPartBytes} (maxDocumentBytes)`,
        );
      }
    }
    this.partLength = length;
    this.partBytes = 0;
    this.handlers.partStart(headers, length);
    if (length === undefined) this.state = "bodyToBoundary";
    else {
      this.remaining = length;
      this.state = "body";
      if (length === 0) this.finishPart();
    }
    return end + sep;
  }

  private readBody(buf: Buffer): number {
    const n = Math.min(this.remaining, buf.length);
    if (n > 0) this.handlers.partData(buf.subarray(0, n));
    this.remaining -= n;
    this.partBytes += n;
    if (this.remaining === 0) this.finishPart();
    return n;
  }

  private readBodyToBoundary(buf: Buffer): number {
    const at = buf.indexOf(this.bodyDelimiter);
    // Keep back a possible start of the delimiter at the end of the chunk.
    const safe = at >= 0 ? at : Math.max(0, buf.length - this.bodyDelimiter.length + 1);
    if (safe > 0) {
      this.partBytes += safe;
      if (this.partBytes > this.maxPartBytes) {
        this.fail(
          `part ${this.parts + 1} exceeds the limit of ${this.maxPartBytes} bytes (maxDocumentBytes)`,
        );
      }
      this.handlers.partData(buf.subarray(0, safe));
    }
    if (at < 0) return safe === 0 ? -1 : safe;
    this.finishPart();
    return at;
  }

  private finishPart(): void {
    this.parts++;
    this.state = "seekBoundary";
    this.handlers.partEnd();
  }

  private fail(message: string): never {
    throw new MultipartError(message);
  }
}
