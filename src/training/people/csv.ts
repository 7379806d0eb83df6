// A small RFC 4180 CSV reader for user imports: quoted fields (with "" for a
// quote and line breaks inside quotes), CRLF or LF, a UTF-8 BOM, and either
// ',' or ';' as the separator (Norwegian Excel writes ';'), chosen from the
// header line. Each record keeps the line it started on, for error messages.

export type CsvRecord = { line: number; fields: string[] };

export class CsvError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "CsvError";
    this.line = line;
  }
}

export function detectSeparator(text: string): "," | ";" {
  const header = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  const count = (c: string) => header.split(c).length - 1;
  return count(";") > count(",") ? ";" : ",";
}

export function parseCsv(text: string, separator = detectSeparator(text)): CsvRecord[] {
  const s = text.replace(/^\uFEFF/, "");
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    fields.push(field);
    field = "";
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    // blank lines are skipped, not records of one empty field
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
    fields = [];
  };
  while (i < s.length) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = s[i];
        if (next !== undefined && next !== separator && next !== "\n" && next !== "\r") {
          throw new CsvError(
            line,
            `unexpected character after a closing quote (write "" for a quote inside quotes)`,
          );
        }
        continue;
      }
      if (ch === "\n") line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (ch === separator) {
      endField();
      i++;
    } else if (ch === "\r" || ch === "\n") {
      endRecord();
      i += ch === "\r" && s[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new CsvError(recordLine, "a quoted field is not closed");
  if (field !== "" || fields.length > 0) endRecord();
  return records;
}
