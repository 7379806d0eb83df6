// Splits one SHDR line into its `|`-separated fields. Fields are trimmed (as
// the MTConnect agent does). A field may be quoted, `"a|b"`, to carry a pipe;
// inside quotes a backslash escapes the next character. A quote that does not
// close right before a `|` (or the end) is an ordinary character.

function trimmed(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  return s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32 ? s.trim() : s;
}

export function splitShdrFields(line: string): string[] {
  if (line.indexOf('"') < 0) {
    const parts = line.split("|");
    for (let i = 0; i < parts.length; i++) parts[i] = trimmed(parts[i] as string);
    return parts;
  }
  return splitQuoted(line);
}

function splitQuoted(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && line.charCodeAt(i) <= 32 && line[i] !== "|") i++;
    if (i < n && line[i] === '"') {
      const quoted = readQuoted(line, i);
      if (quoted) {
        out.push(quoted.value);
        i = quoted.next;
        if (i >= n) return out;
        i++; // the `|`
        continue;
      }
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

/** A quoted field starting at `start`, or undefined if it does not close before a `|` or the end. */
function readQuoted(line: string, start: number): { value: string; next: number } | undefined {
  let value = "";
  let i = start + 1;
  const n = line.length;
  while (i < n) {
    const ch = line[i];
    if (ch === "\\" && i + 1 < n) {
      value += line[i + 1];
      i += 2;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < n && line.charCodeAt(j) <= 32) j++;
      if (j >= n || line[j] === "|") return { value, next: j };
    }
    value += ch;
    i++;
  }
  return undefined;
}
