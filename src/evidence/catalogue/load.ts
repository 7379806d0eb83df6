import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { type ConfigProblem, describeIssues, formatPath } from "../../config/errors.ts";
import { ConfigError, lineOf } from "../../config/load.ts";
import { yamlToData } from "../../config/yaml-aliases.ts";
import { type CatalogueFile, catalogueFileSchema, type Goal } from "./schema.ts";

/** A goal with the catalogue it came from. */
export type CatalogueGoal = Goal & { catalogue: string; catalogueKind: CatalogueFile["catalogue"]["kind"] };

/** Every goal the school has loaded, in file order, by id. */
export type Catalogue = {
  files: readonly { file: string; meta: CatalogueFile["catalogue"] }[];
  goals: ReadonlyMap<string, CatalogueGoal>;
};

type Parsed = { file: string; data: CatalogueFile; line: (path: (string | number)[]) => number | undefined };

/**
 * Parse one catalogue file, or throw ConfigError listing every problem with
 * its line, exactly as the site config does (same formatter, same hints).
 */
export function parseCatalogueText(text: string, file: string): Parsed {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: "(yaml)",
        message: e.message.split("\n")[0] ?? e.message,
        line: e.linePos?.[0]?.line,
      })),
    );
  }
  // The config loader's conversion: an unset alias or an alias bomb is a problem with its line, not a ReferenceError.
  const converted = yamlToData(doc, lc);
  if (!converted.ok) throw new ConfigError(file, [converted.problem]);
  const data = converted.data;
  const result = catalogueFileSchema.safeParse(data);
  if (!result.success) {
    const problems = describeIssues(catalogueFileSchema, data, result.error.issues);
    throw new ConfigError(
      file,
      problems.map((p) => ({ ...p, line: p.line ?? lineOf(doc, lc, p.path) })),
    );
  }
  return { file, data: result.data, line: (path) => lineOf(doc, lc, formatPath(path)) };
}

/** Problems in several catalogue files at once, one ConfigError per file. */
export class CatalogueError extends Error {
  readonly errors: readonly ConfigError[];
  constructor(errors: readonly ConfigError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "CatalogueError";
    this.errors = errors;
  }
}

/**
 * Load every `*.yaml` in `dir` (sorted by name) into one catalogue. Goal ids
 * are unique across files (evidence records name goals by id alone), and every
 * `serves` entry must name a goal of a curriculum catalogue.
 */
export function loadCatalogueFolder(dir: string): Catalogue {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CatalogueError([
      new ConfigError(dir, [
        { path: "(folder)", message: code === "ENOENT" ? "folder not found" : String(err) },
      ]),
    ]);
  }
  if (names.length === 0) {
    throw new CatalogueError([
      new ConfigError(dir, [
        { path: "(folder)", message: "no *.yaml catalogue files; copy config/competence/ from the product" },
      ]),
    ]);
  }
  return catalogueFromTexts(
    names.map((name) => {
      const file = join(dir, name);
      return { file, text: readFileSync(file, "utf8") };
    }),
  );
}

/** The same check for catalogues given as text (tests, the API's catalogue upload). */
export function catalogueFromTexts(files: readonly { file: string; text: string }[]): Catalogue {
  const errors: ConfigError[] = [];
  const parsed: Parsed[] = [];
  for (const f of files) {
    try {
      parsed.push(parseCatalogueText(f.text, f.file));
    } catch (err) {
      if (err instanceof ConfigError) errors.push(err);
      else throw err;
    }
  }
  if (errors.length === 0) errors.push(...crossFileProblems(parsed));
  if (errors.length > 0) throw new CatalogueError(errors);
  return buildCatalogue(parsed);
}

function crossFileProblems(parsed: readonly Parsed[]): ConfigError[] {
  const owner = new Map<string, { file: string; kind: string }>();
  const byFile = new Map<string, ConfigProblem[]>();
  const add = (p: Parsed, path: (string | number)[], message: string) => {
    const list = byFile.get(p.file) ?? [];
    list.push({ path: formatPath(path), message, line: p.line(path) });
    byFile.set(p.file, list);
  };
  for (const p of parsed) {
    p.data.goals.forEach((g, i) => {
      const other = owner.get(g.id);
      if (other)
        add(
          p,
          ["goals", i, "id"],
          `goal id "${g.id}" is also used in ${other.file}; ids must be unique across catalogues`,
        );
      else owner.set(g.id, { file: p.file, kind: p.data.catalogue.kind });
    });
  }
  for (const p of parsed) {
    p.data.goals.forEach((g, i) => {
      g.serves.forEach((target, k) => {
        const t = owner.get(target);
        if (!t) add(p, ["goals", i, "serves", k], `"${target}" is not a goal in any catalogue file`);
        else if (t.kind !== "curriculum")
          add(
            p,
            ["goals", i, "serves", k],
            `"${target}" is a course goal; serves must name curriculum goals`,
          );
      });
    });
  }
  return [...byFile].map(([file, problems]) => new ConfigError(file, problems));
}

function buildCatalogue(parsed: readonly Parsed[]): Catalogue {
  const goals = new Map<string, CatalogueGoal>();
  for (const p of parsed) {
    for (const g of p.data.goals)
      goals.set(g.id, { ...g, catalogue: p.data.catalogue.id, catalogueKind: p.data.catalogue.kind });
  }
  return { files: parsed.map((p) => ({ file: p.file, meta: p.data.catalogue })), goals };
}
