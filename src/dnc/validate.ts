import type { DncProfile } from "./profiles/schema.ts";
import { buildSendPayload, stripComments } from "./program/payload.ts";
import { splitProgramLines } from "./program/text.ts";

// Validation before send: everything a control would reject (or worse,
// accept wrongly) is found here, with the line and column a trainee can go
// to. Nothing with an error is sent unless the user forces it.

export type ValidationSeverity = "error" | "warning";

export const VALIDATION_CODES = [
  "empty",
  "missing-percent-start",
  "missing-percent-end",
  "char-not-allowed",
  "lowercase",
  "missing-program-number",
  "bad-program-number",
  "bad-header",
  "unbalanced-comment",
  "nested-comment",
  "line-too-long",
  "too-large-for-memory",
  "no-program-end",
  "too-many-messages",
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

export type ValidationMessage = {
  /** 1-based line in the file. */
  line: number;
  /** 1-based column, when the problem is at one character. */
  column?: number;
  severity: ValidationSeverity;
  code: ValidationCode;
  message: string;
};

export type ValidationReport = {
  ok: boolean;
  errors: number;
  warnings: number;
  messages: ValidationMessage[];
  /** Bytes the program occupies on the wire without leader/trailer (what the control stores). */
  bytes: number;
  lines: number;
};

export type ValidateOptions = {
  /** Drip-fed programs are not limited by the control's memory. */
  mode?: "send" | "drip";
  /** Stop listing messages of one code after this many (default 20). */
  maxPerCode?: number;
};

/** "prog.nc:12:5: error: …", the form editors and CI logs understand. */
export function formatValidationMessage(file: string, m: ValidationMessage): string {
  return `${file}:${m.line}${m.column !== undefined ? `:${m.column}` : ""}: ${m.severity}: ${m.message}`;
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(2, "0");
  if (ch === "\t") return "tab (0x09)";
  if (code < 0x20 || code === 0x7f) return `control character 0x${hex}`;
  if (code > 0x7e) return `'${ch}' (U+${hex.padStart(4, "0")}, not ASCII)`;
  return `'${ch}'`;
}

export function validateProgram(
  text: string,
  profile: DncProfile,
  opts: ValidateOptions = {},
): ValidationReport {
  const messages: ValidationMessage[] = [];
  const counts = new Map<ValidationCode, number>();
  const maxPerCode = opts.maxPerCode ?? 20;
  const totals = { errors: 0, warnings: 0 };
  const add = (m: ValidationMessage) => {
    if (m.severity === "error") totals.errors++;
    else totals.warnings++;
    const n = (counts.get(m.code) ?? 0) + 1;
    counts.set(m.code, n);
    if (n <= maxPerCode) messages.push(m);
  };
  const name = profile.name;
  const lines = splitProgramLines(text);
  const content = lines
    .map((l, i) => ({ text: l, no: i + 1 }))
    .filter((l) => l.text.replace(/\0/g, "").trim() !== "");

  const meaningful = content.filter((l) => l.text.trim() !== "%");
  if (meaningful.length === 0) {
    add({
      line: 1,
      severity: "error",
      code: "empty",
      message: "the file is empty: there is no program to send",
    });
    return finish(messages, counts, totals, maxPerCode, 0, lines.length);
  }

  checkFraming(content, profile, add);
  checkHeader(content, profile, add);
  const charsets = {
    code: new RegExp(`^[${profile.charset}]$`),
    comment: new RegExp(`^[${profile.commentCharset}]$`),
  };
  lines.forEach((line, i) => {
    checkCharactersAndComments(line, i + 1, profile, charsets, add);
    const effective = profile.comments.strip ? stripComments(line, profile.comments) : line;
    if (effective.length > profile.maxLineLength) {
      add({
        line: i + 1,
        column: profile.maxLineLength + 1,
        severity: "error",
        code: "line-too-long",
        message: `line is ${effective.length} characters; ${name} accepts at most ${profile.maxLineLength}: split the block`,
      });
    }
  });

  if (profile.header === "o-number" && !/\bM0?2\b|\bM30\b|\bM99\b/.test(text.toUpperCase())) {
    add({
      line: meaningful[meaningful.length - 1]!.no,
      severity: "warning",
      code: "no-program-end",
      message: "no program end (M30, M02 or M99) found",
    });
  }

  const payload = buildSendPayload(text, profile);
  const bytes = payload.bodyEnd - payload.bodyStart;
  if ((opts.mode ?? "send") === "send" && bytes > profile.memoryBytes) {
    add({
      line: 1,
      severity: "error",
      code: "too-large-for-memory",
      message:
        `the program is ${bytes.toLocaleString("en")} bytes, larger than the control's memory ` +
        `(${profile.memoryBytes.toLocaleString("en")} bytes): drip-feed it instead (maskinport dnc drip)`,
    });
  }
  return finish(messages, counts, totals, maxPerCode, bytes, lines.length);
}

function finish(
  messages: ValidationMessage[],
  counts: Map<ValidationCode, number>,
  totals: { errors: number; warnings: number },
  maxPerCode: number,
  bytes: number,
  lineCount: number,
): ValidationReport {
  for (const [code, n] of counts) {
    if (n > maxPerCode) {
      messages.push({
        line: 1,
        severity: "warning",
        code: "too-many-messages",
        message: `${n - maxPerCode} more '${code}' problems not listed`,
      });
    }
  }
  messages.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  return {
    ok: totals.errors === 0,
    errors: totals.errors,
    warnings: totals.warnings,
    messages,
    bytes,
    lines: lineCount,
  };
}

type Line = { text: string; no: number };
type Add = (m: ValidationMessage) => void;

function checkFraming(content: Line[], profile: DncProfile, add: Add): void {
  if (!profile.percentFramed) return;
  const first = content[0]!;
  const last = content[content.length - 1]!;
  if (first.text.replace(/\0/g, "").trim() !== "%") {
    add({
      line: first.no,
      severity: "error",
      code: "missing-percent-start",
      message: `missing '%' at the start: ${profile.name} programs begin with a line holding only %`,
    });
  }
  if (content.length < 2 || last.text.replace(/\0/g, "").trim() !== "%") {
    add({
      line: last.no,
      severity: "error",
      code: "missing-percent-end",
      message: `missing '%' at the end: ${profile.name} programs end with a line holding only % (after M30)`,
    });
  }
}

function checkHeader(content: Line[], profile: DncProfile, add: Add): void {
  const body = content.filter((l) => l.text.trim() !== "%");
  const first = body[0]!;
  switch (profile.header) {
    case "o-number": {
      const spec = profile.programNumber;
      if (!spec) return;
      const re = new RegExp(spec.pattern);
      let seen = false;
      for (const line of body) {
        const m = /^\s*([O:]\d*)/i.exec(line.text);
        // A program number starts a line; 'O' elsewhere is not one.
        if (!m) continue;
        const token = m[1]!;
        seen ||= line === first;
        const digits = token.slice(1);
        if (!re.test(token) || /^0+$/.test(digits)) {
          add({
            line: line.no,
            column: line.text.indexOf(token) + 1,
            severity: "error",
            code: "bad-program-number",
            message:
              digits !== "" && /^0+$/.test(digits)
                ? `'${token}' is not a valid program number (${profile.name} expects ${spec.describe})`
                : `bad program number '${token}': ${profile.name} expects ${spec.describe}`,
          });
        }
      }
      if (spec.required && !seen) {
        add({
          line: first.no,
          severity: "error",
          code: "missing-program-number",
          message: `missing program number: the first line after % should start with one (${spec.describe})`,
        });
      }
      return;
    }
    case "sinumerik": {
      if (!/^%_N_[A-Za-z0-9_]+?_(MPF|SPF)\s*$/.test(first.text)) {
        add({
          line: first.no,
          severity: "error",
          code: "bad-header",
          message:
            "missing Sinumerik header: the first line must be %_N_<NAME>_MPF (main program) or %_N_<NAME>_SPF",
        });
      }
      return;
    }
    case "heidenhain": {
      const begin = /^\s*0\s+BEGIN\s+PGM\s+(\S+)\s+(MM|INCH)\s*$/i.exec(first.text);
      const lastLine = body[body.length - 1]!;
      const end = /^\s*\d+\s+END\s+PGM\s+(\S+)\s+(MM|INCH)\s*$/i.exec(lastLine.text);
      if (!begin) {
        add({
          line: first.no,
          severity: "error",
          code: "bad-header",
          message:
            "missing Heidenhain program start: the first line must be '0 BEGIN PGM <NAME> MM' (or INCH)",
        });
      }
      if (!end) {
        add({
          line: lastLine.no,
          severity: "error",
          code: "bad-header",
          message: "missing Heidenhain program end: the last line must be '<n> END PGM <NAME> MM' (or INCH)",
        });
      } else if (begin && begin[1]!.toUpperCase() !== end[1]!.toUpperCase()) {
        add({
          line: lastLine.no,
          severity: "error",
          code: "bad-header",
          message: `END PGM ${end[1]} does not match BEGIN PGM ${begin[1]}`,
        });
      }
      return;
    }
    case "none":
      return;
  }
}

function checkCharactersAndComments(
  line: string,
  no: number,
  profile: DncProfile,
  charsets: { code: RegExp; comment: RegExp },
  add: Add,
): void {
  const { comments } = profile;
  const allowed = charsets.code;
  const allowedInComment = charsets.comment;
  let openedAt = -1;
  let lineComment = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    const column = i + 1;
    if (ch === "\0") continue; // leader/trailer NULs in a saved tape image are harmless
    if (lineComment) {
      if (!allowedInComment.test(ch)) {
        add({
          line: no,
          column,
          severity: "error",
          code: "char-not-allowed",
          message: `${describeChar(ch)} is not allowed in a comment by ${profile.name}`,
        });
      }
      continue;
    }
    if (openedAt < 0 && comments.line !== null && ch === comments.line) {
      lineComment = true;
      continue;
    }
    if (comments.open !== null && ch === comments.open) {
      if (openedAt >= 0) {
        add({
          line: no,
          column,
          severity: "error",
          code: "nested-comment",
          message: `'${ch}' inside a comment opened at column ${openedAt + 1}: ${profile.name} comments cannot nest`,
        });
      } else openedAt = i;
      continue;
    }
    if (comments.close !== null && ch === comments.close) {
      if (openedAt < 0) {
        add({
          line: no,
          column,
          severity: "error",
          code: "unbalanced-comment",
          message: `'${ch}' without an opening '${comments.open}'`,
        });
      } else openedAt = -1;
      continue;
    }
    if (openedAt >= 0) {
      if (!allowedInComment.test(ch)) {
        add({
          line: no,
          column,
          severity: "error",
          code: "char-not-allowed",
          message: `${describeChar(ch)} is not allowed in a comment by ${profile.name}`,
        });
      }
      continue;
    }
    if (!allowed.test(ch)) {
      const upper = ch.toUpperCase();
      if (/[a-z]/.test(ch) && allowed.test(upper)) {
        add({
          line: no,
          column,
          severity: "error",
          code: "lowercase",
          message: `lower-case '${ch}' is not allowed outside comments by ${profile.name}: write '${upper}'`,
        });
      } else {
        add({
          line: no,
          column,
          severity: "error",
          code: "char-not-allowed",
          message: `${describeChar(ch)} is not allowed by ${profile.name}`,
        });
      }
    }
  }
  if (openedAt >= 0) {
    add({
      line: no,
      column: openedAt + 1,
      severity: "error",
      code: "unbalanced-comment",
      message: `comment opened at column ${openedAt + 1} is not closed on this line (add '${comments.close}')`,
    });
  }
}
