// docs/metrics.md is the technician's reference for /metrics: it must name
// every maskinport_* metric the code registers, and none that is gone. The
// names are read from the source files that use prom-client, so a new metric
// anywhere fails this test until it is documented.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function metricsInSource(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(root, "src"))) {
    const text = readFileSync(file, "utf8");
    if (!text.includes('from "prom-client"')) continue;
    for (const m of text.matchAll(/"(maskinport_[a-z0-9_]+)"/g)) names.add(m[1]!);
  }
  return names;
}

function metricsInDoc(): Set<string> {
  const doc = readFileSync(join(root, "docs/metrics.md"), "utf8");
  // The reference tables: a row starts with the metric's name in backticks.
  return new Set([...doc.matchAll(/^\| `(maskinport_[a-z0-9_]+)`/gm)].map((m) => m[1]!));
}

describe("docs/metrics.md", () => {
  it("lists every metric the gateway registers, and only those", () => {
    const source = metricsInSource();
    expect(source.size).toBeGreaterThan(40);
    expect([...source].filter((n) => !metricsInDoc().has(n)).sort()).toEqual([]);
    expect([...metricsInDoc()].filter((n) => !source.has(n)).sort()).toEqual([]);
  });
});
