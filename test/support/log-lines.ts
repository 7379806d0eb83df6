// Log lines as the product writes them: a pino logger writing into memory, and
// a check that each line is one JSON object whose top-level keys are unique.
// JSON.parse keeps the last of two equal keys without a word, so a field
// bound twice (a child logger on a child logger) would never show in a parsed
// test; log shippers differ on which copy they keep.
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

export type CapturedLog = { log: Logger; lines: string[] };

/** A logger at `level` whose lines collect in `lines`, one string per line. */
export function captureLog(level = "info"): CapturedLog {
  const lines: string[] = [];
  let partial = "";
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const parts = (partial + chunk.toString("utf8")).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts.filter((l) => l !== ""));
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

/** The top-level keys of one JSON object line, in order, repeats kept. Throws if it is not one. */
export function topLevelKeys(line: string): string[] {
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`not a JSON object: ${line.slice(0, 80)}`);
  }
  const keys: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === '"') {
      // A string: find its end (skipping escapes); at depth 1 followed by ':' it is a key.
      let end = i + 1;
      while (line[end] !== '"') end += line[end] === "\\" ? 2 : 1;
      let next = end + 1;
      while (line[next] === " ") next++;
      if (depth === 1 && line[next] === ":") keys.push(JSON.parse(line.slice(i, end + 1)) as string);
      i = end;
    }
    i++;
  }
  return keys;
}

/** Keys that occur more than once at the top level of `line`. */
export function repeatedKeys(line: string): string[] {
  const keys = topLevelKeys(line);
  return [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
}
