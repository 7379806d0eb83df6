// Splits one SHDR line into its `|`-separated fields. Fields are trimmed (as
// the MTConnect agent does). A field may be quoted, `"a|b"`, to carry a pipe;
// inside quotes a backslash escapes the next character. A quote that does not
// close right before a `|` (or the end) is an ordinary character.
//
// Linear in the line length, whatever the line holds: a line is one machine's
// input and tokenizing runs on the event loop every other machine shares. The
// trap is a field that opens a quote and never closes it: looking for its
// close scans to the end of the line, and doing that again for every such
// field is quadratic (350k fields fit in a 1 MiB line). See `splitQuoted`.

function trimmed(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  return s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32 ? s.trim() : s;
}

/**
 * The fields of `line`. With `limit`, splitting stops after `limit + 1`
 * fields, so a caller that refuses lines of more than `limit` fields pays
 * only for what it would accept (plus one).
 */
export function splitShdrFields(line: string, limit = Number.POSITIVE_INFINITY): string[] {
  if (line.indexOf('"') < 0) {
    const parts = Number.isFinite(limit) ? line.split("|", limit + 1) : line.split("|");
    for (let i = 0; i < parts.length; i++) parts[i] = trimmed(parts[i] as string);
    return parts;
  }
  return splitQuoted(line, limit);
}

function splitQuoted(line: string, limit: number): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  // Once a quoted field has failed to close, no later one on this line can:
  // every scan for a close reads the same characters the same way from the
  // character after its opening quote on (that quote is either plain or the
  // escaped half of a `\"`, and the reader is in its plain state right after
  // it either way), so it would end at the same end of line. Remembering
  // that keeps the whole line at one scan.
  let quotesCanClose = true;
  for (;;) {
    if (out.length > limit) return out;
    while (i < n && line.charCodeAt(i) <= 32) i++;
    if (quotesCanClose && i < n && line[i] === '"') {
      const quoted = readQuoted(line, i);
      if (quoted) {
        out.push(quoted.value);
        i = quoted.next;
        if (i >= n) return out;
        i++; // the `|`
        continue;
      }
      quotesCanClose = false;
    }
    const bar = line.indexOf("|", i);
    if (bar < 0) {
      out.push(trimmed(line.slice(i)));
      return out;
    }
    out.push(trimmed(line.slice(i, bar)));
    i = bar + 1;
  }
}

/**
 * A quoted field starting at `start`, or undefined if it does not close before a `|` or the end.
 * The value is cut out in slices between escapes once the close is found, so a scan that finds
 * no close (the whole rest of the line) builds nothing.
 */
function readQuoted(line: string, start: number): { value: string; next: number } | undefined {
  const n = line.length;
  /** Indices of the backslashes that escape the character after them. */
  let escapes: number[] | undefined;
  let i = start + 1;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 92 /* \ */ && i + 1 < n) {
      escapes ??= [];
      escapes.push(i);
      i += 2;
      continue;
    }
    if (c === 34 /* " */) {
      let j = i + 1;
      while (j < n && line.charCodeAt(j) <= 32) j++;
      if (j >= n || line.charCodeAt(j) === 124 /* | */)
        return { value: withoutEscapes(line, start + 1, i, escapes), next: j };
    }
    i++;
  }
  return undefined;
}

/** line[from, to) without the escaping backslashes at `escapes`. */
function withoutEscapes(line: string, from: number, to: number, escapes: number[] | undefined): string {
  if (escapes === undefined) return line.slice(from, to);
  let value = "";
  let at = from;
  for (const e of escapes) {
    value += line.slice(at, e);
    at = e + 1;
  }
  return value + line.slice(at, to);
}
