// `${VAR}` and `${VAR:-default}` in config values, so secrets live in the
// environment and not in the YAML file.
//
// Three rules, each learnt the hard way (issue 13):
// - Substitution happens on parsed scalars, never on the YAML text: a value
//   holding `#`, `: ` or spaces is text, it is not parsed again.
// - A substituted value is a string. `password: ${MQTT_PASSWORD}` with an
//   all-digits password must stay a string; only where the schema asks for a
//   number (or a boolean) is a whole-value reference typed again (load.ts,
//   `retypeWhereExpected`).
// - A substituted value is never shown: error messages show the reference
//   (`${MQTT_PASSWORD}`) instead, and load.ts scrubs the values from every
//   message as a last line of defence.
//
// The scanner is linear in the value's length, whatever it holds: an unclosed
// `${A:-` repeated is read once, not once per `${`.

export type EnvReference = {
  /** The variables the value refers to, in order. */
  names: string[];
  /** The value as written in the file, with its `${…}` references. */
  template: string;
  /** The value was a single reference and nothing else (`${PORT}`), so it may be typed again. */
  whole: boolean;
};

export type Substitution = {
  value: string;
  /** Every variable referred to (set or not). */
  names: string[];
  /** Variables referred to without a default that are not set (or empty). */
  missing: string[];
  /** Values taken from the environment (not defaults), to keep out of messages. */
  secrets: string[];
  whole: boolean;
};

const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57);

/**
 * Replace every `${NAME}` / `${NAME:-default}` in `text`. An unset or empty
 * variable takes its default; without one it is `missing` and becomes "".
 * A default runs to the first `}` (no nesting). Anything that is not a
 * complete reference stays as written.
 */
export function substitute(text: string, env: NodeJS.ProcessEnv): Substitution {
  const result: Substitution = { value: "", names: [], missing: [], secrets: [], whole: false };
  let out = "";
  let from = 0;
  let references = 0;
  /** Index of the next `}` at or after the scan position; -1 when there is none left. */
  let close = -2;
  const n = text.length;
  for (;;) {
    const at = text.indexOf("${", from);
    if (at < 0) break;
    let i = at + 2;
    if (i >= n || !isNameStart(text.charCodeAt(i))) {
      out += text.slice(from, at + 2);
      from = at + 2;
      continue;
    }
    while (i < n && isNameChar(text.charCodeAt(i))) i++;
    const name = text.slice(at + 2, i);
    let fallback: string | undefined;
    let end: number;
    if (text.charCodeAt(i) === 125 /* } */) {
      end = i;
    } else if (text.startsWith(":-", i)) {
      if (close !== -1 && close < i + 2) close = text.indexOf("}", i + 2);
      // No `}` anywhere after here: no later `${` can be complete either.
      if (close < 0) break;
      fallback = text.slice(i + 2, close);
      end = close;
    } else {
      out += text.slice(from, i);
      from = i;
      continue;
    }
    references++;
    result.names.push(name);
    const set = env[name];
    let value: string;
    if (set !== undefined && set !== "") {
      value = set;
      result.secrets.push(set);
    } else if (fallback !== undefined) {
      value = fallback;
    } else {
      value = "";
      result.missing.push(name);
    }
    out += text.slice(from, at) + value;
    from = end + 1;
  }
  result.value = out + text.slice(from);
  result.whole = references === 1 && result.names.length === 1 && isWholeReference(text);
  return result;
}

/** `${NAME}` or `${NAME:-default}` and nothing else around it. */
function isWholeReference(text: string): boolean {
  if (!text.startsWith("${") || !text.endsWith("}")) return false;
  return text.indexOf("}") === text.length - 1;
}
