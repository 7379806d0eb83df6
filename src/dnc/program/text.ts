import { createHash } from "node:crypto";
import type { EndOfBlock } from "../profiles/schema.ts";

// NC programs are 7-bit text. We handle them as latin1 strings so that every
// byte maps to exactly one character and back: nothing is lost or re-encoded
// between the library, the validator and the wire.

export const EOB_BYTES: Record<EndOfBlock, string> = { LF: "\n", CRLF: "\r\n", CR: "\r" };

/** Text of a program file's bytes, byte for byte. */
export function programText(bytes: Buffer | string): string {
  return typeof bytes === "string" ? bytes : bytes.toString("latin1");
}

export function programBytes(text: string): Buffer {
  return Buffer.from(text, "latin1");
}

/** Split on any end of block (LF, CR LF, CR). A final end of block does not start another line. */
export function splitProgramLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The program with LF ends of block, how programs are stored and compared. */
export function normaliseEob(text: string): string {
  const lines = splitProgramLines(text);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** sha256 of the file's bytes: the version id in the library and the checksum in program.transfer events. */
export function contentHash(content: Buffer | string): string {
  return createHash("sha256")
    .update(typeof content === "string" ? programBytes(content) : content)
    .digest("hex");
}
