import type { DncProfile } from "../profiles/schema.ts";
import { EOB_BYTES, programBytes, splitProgramLines } from "./text.ts";

/** The bytes that go on the wire for one send or drip-feed, with a line map for progress and resume. */
export type SendPayload = {
  bytes: Buffer;
  /** Offset just past leader NULs. */
  bodyStart: number;
  /** Offset of the trailer NULs. */
  bodyEnd: number;
  /** For each line sent: its line number in the source file (1-based) and the offset just past its end of block. */
  lines: { source: number; end: number }[];
};

/** Remove comments the way the control reads them (used when the profile says strip). */
export function stripComments(line: string, comments: DncProfile["comments"]): string {
  let out = "";
  let depth = 0;
  for (const ch of line) {
    if (depth === 0 && comments.line !== null && ch === comments.line) break;
    if (comments.open !== null && ch === comments.open) {
      depth++;
      continue;
    }
    if (depth > 0) {
      if (comments.close !== null && ch === comments.close) depth--;
      continue;
    }
    out += ch;
  }
  return out.trimEnd();
}

/**
 * Build the wire form of a program: leader NULs, every line with the
 * profile's end of block, trailer NULs. `fromLine` (1-based, as in validation
 * messages) resumes a drip-feed: the opening `%` line is kept so the control
 * sees a program start, then lines from `fromLine` on.
 */
export function buildSendPayload(
  text: string,
  profile: DncProfile,
  opts: { fromLine?: number } = {},
): SendPayload {
  const source = splitProgramLines(text);
  const eob = EOB_BYTES[profile.eob];
  const parts: string[] = [];
  const lines: SendPayload["lines"] = [];
  let offset = profile.leaderNuls;
  const from = opts.fromLine ?? 1;
  if (from < 1 || (source.length > 0 && from > source.length)) {
    throw new RangeError(`fromLine ${from} is outside the program (lines 1–${source.length})`);
  }
  source.forEach((raw, i) => {
    const lineNo = i + 1;
    const isOpeningPercent = i === 0 && raw.trim() === "%";
    if (lineNo < from && !(isOpeningPercent && profile.percentFramed)) return;
    let line = raw;
    if (profile.comments.strip) {
      line = stripComments(raw, profile.comments);
      // A line that held only a comment disappears; an empty line stays as it was.
      if (line === "" && raw.trim() !== "") return;
    }
    parts.push(line, eob);
    offset += line.length + eob.length;
    lines.push({ source: lineNo, end: offset });
  });
  const body = parts.join("");
  const bytes = Buffer.concat([
    Buffer.alloc(profile.leaderNuls),
    programBytes(body),
    Buffer.alloc(profile.trailerNuls),
  ]);
  return { bytes, bodyStart: profile.leaderNuls, bodyEnd: profile.leaderNuls + body.length, lines };
}

/** Lines whose end of block lies within the first `sent` bytes. */
export function linesCompleted(payload: SendPayload, sent: number): number {
  let lo = 0;
  let hi = payload.lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (payload.lines[mid]!.end <= sent) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
