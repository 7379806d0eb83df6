import { describe, expect, it } from "vitest";
import { ShdrLineFramer } from "../../../src/adapters/shdr/line-framer.ts";

function collect(framer: ShdrLineFramer, chunks: (string | Buffer)[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  const sink = { line: (l: string) => lines.push(l), error: (e: string) => errors.push(e) };
  for (const c of chunks) framer.push(typeof c === "string" ? Buffer.from(c, "utf8") : c, sink);
  return { lines, errors };
}

describe("ShdrLineFramer", () => {
  it("emits complete lines and keeps a half line for the next chunk", () => {
    const r = collect(new ShdrLineFramer(), ["a|1\nb|", "2\nc", "|3", "\n"]);
    expect(r.lines).toEqual(["a|1", "b|2", "c|3"]);
    expect(r.errors).toEqual([]);
  });

  it("splits a line one byte per chunk", () => {
    const text = "2022-08-08T13:51:34Z|avail|AVAILABLE\n";
    const r = collect(
      new ShdrLineFramer(),
      [...Buffer.from(text)].map((b) => Buffer.from([b])),
    );
    expect(r.lines).toEqual([text.trimEnd()]);
  });

  it("strips CR of CR LF line ends and keeps empty lines", () => {
    expect(collect(new ShdrLineFramer(), ["a|1\r\n\r\nb|2\r\n"]).lines).toEqual(["a|1", "", "b|2"]);
  });

  it("joins a multi-byte UTF-8 character split across chunks", () => {
    const bytes = Buffer.from("msg|Kjølevæske lav\n", "utf8");
    const cut = bytes.indexOf(0xc3) + 1; // inside "ø"
    const r = collect(new ShdrLineFramer(), [bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(r.lines).toEqual(["msg|Kjølevæske lav"]);
    expect(r.errors).toEqual([]);
  });

  it("reports a line that is not UTF-8 and keeps the lines around it", () => {
    const bad = Buffer.concat([
      Buffer.from("a|1\nb|"),
      Buffer.from([0xff, 0xfe, 0x80]),
      Buffer.from("\nc|3\n"),
    ]);
    const r = collect(new ShdrLineFramer(), [bad]);
    expect(r.lines).toEqual(["a|1", "c|3"]);
    expect(r.errors).toEqual([expect.stringMatching(/not valid UTF-8/)]);
  });

  it("discards an over-long line inside one chunk and reads on", () => {
    const r = collect(new ShdrLineFramer(1024), [`a|1\nbig|${"x".repeat(5000)}\nc|3\n`]);
    expect(r.lines).toEqual(["a|1", "c|3"]);
    expect(r.errors).toEqual([expect.stringMatching(/longer than 1024 bytes/)]);
  });

  it("discards a 1 MB line arriving in many chunks up to its LF, reporting it once", () => {
    const framer = new ShdrLineFramer(64 * 1024);
    const chunks: string[] = ["a|1\nhuge|"];
    for (let i = 0; i < 16; i++) chunks.push("y".repeat(64 * 1024));
    chunks.push("tail\nc|3\n");
    const r = collect(framer, chunks);
    expect(r.lines).toEqual(["a|1", "c|3"]);
    expect(r.errors).toHaveLength(1);
  });

  it("accepts a line exactly at the cap", () => {
    const line = `k|${"z".repeat(1022)}`;
    expect(collect(new ShdrLineFramer(1024), [`${line}\n`]).lines).toEqual([line]);
  });

  it("reset() drops a half line", () => {
    const framer = new ShdrLineFramer();
    collect(framer, ["half|li"]);
    framer.reset();
    expect(collect(framer, ["ne\nok|1\n"]).lines).toEqual(["ne", "ok|1"]);
  });
});
