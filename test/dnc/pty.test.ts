import { existsSync } from "node:fs";
import { SerialPort } from "serialport";
import { describe, expect, it } from "vitest";
import { createPtyPair } from "../support/pty.ts";

function open(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    port.open((err) => (err ? reject(err) : resolve(port)));
  });
}

describe("createPtyPair", () => {
  it("passes every byte value, including DC1/DC3, NUL and high bits, both ways", async () => {
    const pair = await createPtyPair();
    try {
      const a = await open(pair.a);
      const b = await open(pair.b);
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const got: Buffer[] = [];
      b.on("data", (d: Buffer) => got.push(d));
      a.write(all);
      await waitFor(() => Buffer.concat(got).length >= 256);
      expect(Buffer.concat(got)).toEqual(all);
      await new Promise<void>((r) => a.close(() => r()));
      await new Promise<void>((r) => b.close(() => r()));
    } finally {
      await pair.close();
    }
    expect(existsSync(pair.a)).toBe(false);
  });

  it("names the fix when socat is missing", async () => {
    await expect(createPtyPair({ socat: "/nonexistent/socat" })).rejects.toThrow(
      /apt-get install socat; npm test installs it/,
    );
  });
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}
