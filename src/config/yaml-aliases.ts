import { type Document, type LineCounter, visit } from "yaml";
import type { ConfigProblem } from "./errors.ts";

// YAML anchors and aliases (`&a` / `*a`) are resolved when the document
// becomes data, and the yaml package reports a bad alias there by throwing a
// bare ReferenceError. Here that becomes a config problem with its line, like
// every other mistake in the file.

/**
 * Most nodes aliases may expand to. A config file has no use for more; the
 * limit stops an "alias bomb" (aliases of aliases of aliases …, a few lines
 * that expand to millions of nodes) from filling memory.
 */
export const MAX_ALIAS_EXPANSION = 100;

export type YamlData = { ok: true; data: unknown } | { ok: false; problem: ConfigProblem };

export function yamlToData(doc: Document.Parsed, lc: LineCounter): YamlData {
  try {
    return { ok: true, data: doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION }) };
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    return { ok: false, problem: aliasProblem(doc, lc, err) };
  }
}

function aliasProblem(doc: Document.Parsed, lc: LineCounter, err: ReferenceError): ConfigProblem {
  let unresolved: { name: string; offset: number } | undefined;
  let first: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      const offset = node.range?.[0] ?? 0;
      first ??= offset;
      if (node.resolve(doc) === undefined) {
        unresolved = { name: node.source, offset };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (unresolved) {
    return {
      path: "(yaml)",
      message: `alias *${unresolved.name} refers to no anchor &${unresolved.name} above it (set the anchor before using it, or write the value out)`,
      line: lc.linePos(unresolved.offset).line,
    };
  }
  if (/alias count|resource exhaustion/i.test(err.message)) {
    return {
      path: "(yaml)",
      message: `aliases expand to too many values (an alias of aliases of aliases …; at most ${MAX_ALIAS_EXPANSION} are allowed): write the values out`,
      line: first === undefined ? undefined : lc.linePos(first).line,
    };
  }
  return {
    path: "(yaml)",
    message: `bad alias: ${err.message.split("\n")[0]}`,
    line: first === undefined ? undefined : lc.linePos(first).line,
  };
}
