import type { AlarmLevel } from "../../core/observation.ts";
import type { ShdrKeyType } from "./config.ts";
import { parseShdrTimestamp } from "./timestamp.ts";
import { splitShdrFields } from "./tokenize.ts";

// SHDR, the line protocol MTConnect adapters speak (one LF-terminated line per
// record). Forms, with the number of fields a key consumes:
//   ts|key|value|key|value…                         sample / event: 1
//   ts|key|level|nativeCode|nativeSeverity|qualifier|text   condition: 5
//   ts|key|nativeCode|text                          message: 2
//   ts|key|count|rate|v1 v2 …                       time series: 3
//   ts|@ASSET@|id|type|<xml…> (or --multiline--XXXX … XXXX block)  asset commands
//   * PONG 10000   /   * key: value   /   *key:value    protocol lines
// The key's type decides how many fields it takes: a line's shape does not
// (okuma.txt has event lines with 7 fields and UNAVAILABLE where a condition
// level would be), so the caller supplies a key → type lookup. After a
// multi-field item the line may go on with more pairs (SHDR 2); a line that
// ends right after it (SHDR 1) reads the same.

export type ShdrValueItem = { kind: "value"; key: string /** null = UNAVAILABLE */; value: string | null };
export type ShdrConditionItem = {
  kind: "condition";
  key: string;
  level: AlarmLevel;
  nativeCode: string;
  nativeSeverity: string;
  qualifier: string;
  text: string;
};
export type ShdrMessageItem = { kind: "message"; key: string; nativeCode: string; text: string | null };
export type ShdrTimeSeriesItem = {
  kind: "time_series";
  key: string;
  count: number;
  rate: number | null;
  values: string | null;
};
export type ShdrItem = ShdrValueItem | ShdrConditionItem | ShdrMessageItem | ShdrTimeSeriesItem;

export type ShdrDataRecord = {
  kind: "data";
  ts: number;
  items: ShdrItem[];
  /** Items of this line that were bad (unknown condition level, missing value…); the rest is kept. */
  problems: string[];
};
export type ShdrAssetRecord = {
  kind: "asset";
  ts: number;
  command: string;
  assetId?: string;
  /** Lines of a --multiline-- body that were skipped with it. */
  bodyLines: number;
};
/** `* PONG 10000` → { command: "PONG", value: "10000" }; `* shdrVersion: 2` → { "shdrVersion", "2" }. */
export type ShdrCommandRecord = { kind: "command"; command: string; value: string };
export type ShdrErrorRecord = { kind: "error"; reason: string };
export type ShdrRecord = ShdrDataRecord | ShdrAssetRecord | ShdrCommandRecord | ShdrErrorRecord;

export type ShdrKeyTypeLookup = (key: string) => ShdrKeyType | undefined;

export type ShdrLineParserOptions = {
  keyType: ShdrKeyTypeLookup;
  /** Largest --multiline-- body kept track of (default 1 MiB); a longer block is abandoned as an error. */
  maxBlockChars?: number;
  /**
   * Most `|`-separated fields one line may have (default 10,000); a line with
   * more is an error. Bounds what one line costs on the shared event loop.
   */
  maxFields?: number;
};

export const DEFAULT_MAX_FIELDS_PER_LINE = 10_000;

const LEVELS: Record<string, AlarmLevel> = {
  NORMAL: "normal",
  WARNING: "warning",
  FAULT: "fault",
  UNAVAILABLE: "unavailable",
};

const MULTILINE = "--multiline--";
const EXCERPT = 60;

function isUnavailable(s: string): boolean {
  return s.length === 11 && (s === "UNAVAILABLE" || s.toUpperCase() === "UNAVAILABLE");
}

function excerpt(line: string): string {
  return JSON.stringify(line.length > EXCERPT ? `${line.slice(0, EXCERPT)}…` : line);
}

/** Block state while inside a --multiline-- body. */
type Block = { terminator: string; head: string; body: string[]; chars: number };

/**
 * Turns SHDR lines into records. Pure apart from the --multiline-- block
 * state (one instance per connection; `reset()` on reconnect). Never throws
 * on input: anything it cannot read becomes an `error` record (or a problem
 * inside a data record) for the caller to log and count.
 */
export class ShdrLineParser {
  private readonly keyType: ShdrKeyTypeLookup;
  private readonly maxBlockChars: number;
  private readonly maxFields: number;
  private block: Block | undefined;
  private lastTsText = "";
  private lastTs = 0;

  constructor(options: ShdrLineParserOptions) {
    this.keyType = options.keyType;
    this.maxBlockChars = options.maxBlockChars ?? 1024 * 1024;
    this.maxFields = options.maxFields ?? DEFAULT_MAX_FIELDS_PER_LINE;
  }

  /** Forget a half-read --multiline-- block (the connection was lost). */
  reset(): void {
    this.block = undefined;
  }

  get inBlock(): boolean {
    return this.block !== undefined;
  }

  /**
   * One line without its LF. `rx` is the receive time, used when the line has
   * an empty timestamp (allowed by the spec). Returns null for lines that
   * carry nothing on their own: blank lines and lines inside a block.
   */
  parseLine(line: string, rx: number): ShdrRecord | null {
    if (this.block) return this.continueBlock(line, rx);
    if (line.length === 0) return null;
    const first = line.charCodeAt(0);
    if (first === 42 /* * */) return parseCommand(line);
    const multi = line.indexOf(MULTILINE);
    if (multi >= 0) {
      this.block = { terminator: line.slice(multi).trim(), head: line.slice(0, multi), body: [], chars: 0 };
      return null;
    }
    if (line.trim().length === 0) return null;
    return this.parseRecord(splitShdrFields(line, this.maxFields), line, rx);
  }

  private continueBlock(line: string, rx: number): ShdrRecord | null {
    const block = this.block as Block;
    if (line.trim() === block.terminator) {
      this.block = undefined;
      const fields = splitShdrFields(block.head, this.maxFields);
      // The head ends in "|" before the marker, so the body is the value of that last (empty) field.
      fields[fields.length - 1] = `${fields[fields.length - 1] ?? ""}${block.body.join("\n")}`;
      return this.parseRecord(fields, block.head, rx, block.body.length);
    }
    block.chars += line.length + 1;
    if (block.chars > this.maxBlockChars) {
      this.block = undefined;
      return {
        kind: "error",
        reason: `--multiline-- block ${excerpt(block.head)} longer than ${this.maxBlockChars} characters without its terminator ${block.terminator}: abandoned, reading lines normally again`,
      };
    }
    block.body.push(line);
    return null;
  }

  private timestamp(text: string, rx: number): number | undefined {
    if (text.length === 0) return rx;
    if (text === this.lastTsText) return this.lastTs;
    const ts = parseShdrTimestamp(text);
    if (ts !== undefined) {
      this.lastTsText = text;
      this.lastTs = ts;
    }
    return ts;
  }

  private parseRecord(fields: string[], line: string, rx: number, bodyLines = 0): ShdrRecord {
    if (fields.length > this.maxFields) {
      return {
        kind: "error",
        reason: `line ${excerpt(line)} has more than ${this.maxFields} fields: skipped (raise maxFieldsPerLine if the adapter really sends such lines)`,
      };
    }
    if (fields.length < 2) {
      return { kind: "error", reason: `not an SHDR line (no "|"): ${excerpt(line)}` };
    }
    const tsText = fields[0] as string;
    const ts = this.timestamp(tsText, rx);
    if (ts === undefined) {
      return {
        kind: "error",
        reason: `bad timestamp ${excerpt(tsText)} (expected ISO 8601 like 2022-08-08T13:51:34.716Z): line ${excerpt(line)} skipped`,
      };
    }
    const firstKey = fields[1] as string;
    if (firstKey.charCodeAt(0) === 64 /* @ */) {
      const asset: ShdrAssetRecord = { kind: "asset", ts, command: firstKey, bodyLines };
      if (firstKey !== "@REMOVE_ALL_ASSETS@" && fields[2]) asset.assetId = fields[2];
      return asset;
    }
    return this.parseItems(fields, ts);
  }

  private parseItems(fields: string[], ts: number): ShdrDataRecord {
    const items: ShdrItem[] = [];
    const problems: string[] = [];
    const n = fields.length;
    let i = 1;
    while (i < n) {
      const key = fields[i] as string;
      if (key.length === 0) {
        // A trailing "|" (or an empty "||" pair) carries nothing; a value without a key is a problem.
        const value = fields[i + 1];
        if (value !== undefined && value !== "") problems.push(`empty key before value ${excerpt(value)}`);
        i += 2;
        continue;
      }
      const type = this.keyType(key);
      if (type === "condition") {
        const levelText = fields[i + 1];
        if (levelText === undefined) {
          problems.push(`condition ${key} has no level (truncated line?)`);
          break;
        }
        const level = LEVELS[levelText.toUpperCase()];
        if (level === undefined) {
          problems.push(
            `condition ${key}: unknown level ${excerpt(levelText)} (expected NORMAL, WARNING, FAULT or UNAVAILABLE)`,
          );
        } else {
          const text = fields[i + 5] ?? "";
          items.push({
            kind: "condition",
            key,
            level,
            nativeCode: fields[i + 2] ?? "",
            nativeSeverity: fields[i + 3] ?? "",
            qualifier: fields[i + 4] ?? "",
            text: isUnavailable(text) ? "" : text,
          });
        }
        i += 6;
      } else if (type === "message") {
        const nativeCode = fields[i + 1];
        if (nativeCode === undefined) {
          problems.push(`message ${key} has no value (truncated line?)`);
          break;
        }
        const text = fields[i + 2];
        if (text === undefined) {
          // `ts|msg|text` with the code left out: read the one field as the text.
          items.push({
            kind: "message",
            key,
            nativeCode: "",
            text: isUnavailable(nativeCode) ? null : nativeCode,
          });
          i += 2;
        } else {
          items.push({ kind: "message", key, nativeCode, text: isUnavailable(text) ? null : text });
          i += 3;
        }
      } else if (type === "time_series") {
        const countText = fields[i + 1];
        const values = fields[i + 3];
        if (countText === undefined) {
          problems.push(`time series ${key} has no value (truncated line?)`);
          break;
        }
        if (isUnavailable(countText) || values === undefined || isUnavailable(values)) {
          items.push({ kind: "time_series", key, count: 0, rate: null, values: null });
        } else {
          const count = Number(countText);
          const rateText = fields[i + 2] ?? "";
          const rate = rateText === "" ? null : Number(rateText);
          if (!Number.isInteger(count) || count < 0 || (rate !== null && !Number.isFinite(rate))) {
            problems.push(`time series ${key}: bad count ${excerpt(countText)} or rate ${excerpt(rateText)}`);
          } else {
            items.push({ kind: "time_series", key, count, rate, values });
          }
        }
        i += 4;
      } else {
        const value = fields[i + 1];
        if (value === undefined) {
          problems.push(`key ${excerpt(key)} has no value (truncated line?)`);
          break;
        }
        items.push({ kind: "value", key, value: isUnavailable(value) ? null : value });
        i += 2;
      }
    }
    return { kind: "data", ts, items, problems };
  }
}

/** `* PONG 10000`, `* shdrVersion: 2`, `*adapterVersion:UNAVAILABLE`. */
function parseCommand(line: string): ShdrCommandRecord | ShdrErrorRecord {
  const body = line.slice(1).trim();
  if (body.length === 0) return { kind: "error", reason: 'empty protocol line "*"' };
  const colon = body.indexOf(":");
  if (colon > 0)
    return { kind: "command", command: body.slice(0, colon).trim(), value: body.slice(colon + 1).trim() };
  const space = body.search(/\s/);
  if (space > 0)
    return { kind: "command", command: body.slice(0, space), value: body.slice(space + 1).trim() };
  return { kind: "command", command: body, value: "" };
}
