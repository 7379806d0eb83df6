// A URL may carry a user and password (`mqtt://gw:secret@broker`); they must
// never reach a log line, a metric or an error message. This is the one place
// that knows where they stand: between `scheme://` and the LAST `@`, so a
// password holding an `@`, a `/` or a space of its own is covered whole. (The
// WHATWG URL parser ends the authority at the first `/`, so removing
// `username`/`password` from a parsed URL alone would show the part of such a
// password after its `/`.)
//
// Two shapes, because two kinds of reader see them:
// - a URL the program holds, shown in a log line: the credentials are dropped
//   (`mqtt://broker:1883`), as an operator reads it;
// - what a person wrote, quoted back in a config error: the credentials become
//   `***` (`mqtt://***@broker:1883`), so the person sees where they stood.

const SCHEME = /^\s*[a-z][a-z0-9+.-]*:\/\//i;

/**
 * `mqtt://gw:secret@broker:1883/` → `mqtt://broker:1883`: one URL for a log
 * line or a message. `service` names it when it cannot be parsed at all
 * (`<unparseable MQTT URL>`): then nothing of it is shown.
 */
export function redactUrl(url: string, service: string): string {
  const unparseable = `<unparseable ${service} URL>`;
  const scheme = SCHEME.exec(url);
  // `gw:secret@broker` parses as scheme `gw:` with the secret in its path: without `//` an `@` is suspect.
  if (!scheme && url.includes("@")) return unparseable;
  const at = url.lastIndexOf("@");
  const withoutCredentials = scheme && at >= scheme[0].length ? scheme[0] + url.slice(at + 1) : url;
  try {
    return new URL(withoutCredentials).toString().replace(/\/$/, "");
  } catch {
    return unparseable;
  }
}

/**
 * Every URL in a message: `… got "mqtt://gw:secret@broker"` → `… got "mqtt://***@broker"`.
 * A URL runs to the last `@` on its line before a closing quote, so a quoted
 * value's neighbours on the line are left as they are.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^"\n]*@/gi, "$1***@");
}

/**
 * One whole value a person wrote (a config value about to be quoted back):
 * everything between `://` and the last `@` becomes `***`, whatever it holds,
 * quotes and line breaks included. Anything without `scheme://…@` is returned as it is.
 */
export function redactValueCredentials(value: string): string {
  const scheme = SCHEME.exec(value);
  const at = value.lastIndexOf("@");
  if (!scheme || at < scheme[0].length) return value;
  return `${scheme[0]}***${value.slice(at)}`;
}
