import { describe, expect, it } from "vitest";
import { MultipartFramer, multipartBoundary } from "../../../src/adapters/mtconnect/multipart.ts";

type Part = { headers: Record<string, string>; body: string };

function frame(
  chunks: Buffer[],
  boundary = "b0undary",
  maxPartBytes = 1 << 20,
): { parts: Part[]; framer: MultipartFramer } {
  const parts: Part[] = [];
  let current: { headers: Record<string, string>; data: Buffer[] } | undefined;
  const framer = new MultipartFramer(
    boundary,
    {
      partStart: (h) => {
        current = { headers: Object.fromEntries(h), data: [] };
      },
      partData: (c) => current!.data.push(Buffer.from(c)),
      partEnd: () => {
        parts.push({ headers: current!.headers, body: Buffer.concat(current!.data).toString() });
        current = undefined;
      },
    },
    { maxPartBytes },
  );
  for (const c of chunks) framer.push(c);
  return { parts, framer };
}

const part = (body: string, boundary = "b0undary", length = Buffer.byteLength(body)) =>
  `--${boundary}\r\nContent-type: text/xml\r\nContent-length: ${length}\r\n\r\n${body}\r\n`;

// Bodies that would fool framing by boundary or by XML end tag: only Content-length frames them.
const BODIES = [
  "<MTConnectStreams>one</MTConnectStreams>",
  "<MTConnectStreams><!-- --b0undary --></MTConnectStreams>\r\n--b0undary\r\n",
  "<MTConnectStreams>ø unicode ✓</MTConnectStreams><!-- after the end tag -->",
  "",
];
const STREAM = Buffer.from(`\r\n${BODIES.map((b) => part(b)).join("")}`);

describe("multipartBoundary", () => {
  it("reads the boundary of both MTConnect stream types", () => {
    expect(multipartBoundary("multipart/x-mixed-replace;boundary=abc123")).toBe("abc123");
    expect(multipartBoundary('multipart/mixed; boundary="a b"')).toBe("a b");
    expect(multipartBoundary("Multipart/Mixed;charset=utf-8;boundary=xyz")).toBe("xyz");
  });
  it("refuses what is not a multipart stream", () => {
    expect(multipartBoundary("text/xml")).toBeUndefined();
    expect(multipartBoundary("multipart/mixed")).toBeUndefined();
    expect(multipartBoundary(undefined)).toBeUndefined();
    expect(multipartBoundary("multipart/form-data; boundary=x")).toBeUndefined();
  });
});

describe("MultipartFramer", () => {
  it("frames parts by Content-length, never by boundary text or XML end tag", () => {
    const { parts } = frame([STREAM]);
    expect(parts.map((p) => p.body)).toEqual(BODIES);
    expect(parts[0]!.headers).toEqual({ "content-type": "text/xml", "content-length": "40" });
  });

  it("gives the same parts for every split point, and byte by byte", () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      const { parts } = frame([STREAM.subarray(0, cut), STREAM.subarray(cut)]);
      expect(parts.map((p) => p.body)).toEqual(BODIES);
    }
    const bytes = [...STREAM].map((b) => Buffer.from([b]));
    expect(frame(bytes).parts.map((p) => p.body)).toEqual(BODIES);
  });

  it("reads a part without Content-length up to the next boundary", () => {
    const s = Buffer.from(
      `--b0undary\r\nContent-type: text/xml\r\n\r\n<a>x</a>\r\n--b0undary\r\n\r\n<b/>\r\n--b0undary--\r\n`,
    );
    for (let cut = 1; cut < s.length; cut++) {
      expect(frame([s.subarray(0, cut), s.subarray(cut)]).parts.map((p) => p.body)).toEqual([
        "<a>x</a>",
        "<b/>",
      ]);
    }
  });

  it("stops at the closing delimiter", () => {
    const { parts } = frame([Buffer.from(`${part("<a/>")}--b0undary--\r\ngarbage after the end`)]);
    expect(parts).toHaveLength(1);
  });

  it("reports a stream that ends inside a part", () => {
    const { framer, parts } = frame([Buffer.from(part("<a>123456</a>").slice(0, 60))]);
    expect(parts).toHaveLength(0);
    expect(framer.insidePart).toBe(true);
    expect(() => framer.end()).toThrow(/stream ended inside part 1: got 2 of 13 bytes \(truncated part\)/);
  });

  it("detects a body longer than its Content-length", () => {
    const bad = `${part("<a>long body</a>", "b0undary", 5)}${part("<b/>")}`;
    expect(() => frame([Buffer.from(bad)])).toThrow(/unexpected data after part 1.*Content-length/);
  });

  it("refuses a part over the size limit before reading it", () => {
    expect(() => frame([Buffer.from(part("x".repeat(100)))], "b0undary", 50)).toThrow(
      /part 1 is 100 bytes, over the limit of 50/,
    );
  });

  it("refuses a bad Content-length and a stream without boundary", () => {
    expect(() => frame([Buffer.from("--b0undary\r\nContent-length: 1x\r\n\r\n")])).toThrow(
      /bad Content-length "1x"/,
    );
    expect(() => frame([Buffer.from("x".repeat(10_000))])).toThrow(/no multipart boundary found/);
  });
});
