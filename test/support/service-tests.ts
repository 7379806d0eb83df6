import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

// Which test files need an external service (Mosquitto, InfluxDB, PostgreSQL,
// socat, Chromium) and which run on Node alone. vitest.config.ts splits the
// suite into the projects "unit" and "integration" with it, so a new test
// lands in the right one by what it imports, not by a list someone must keep.

/** The helpers that start or drive an external program; importing one (directly or not) makes a test an integration test. */
const SERVICE_HELPERS = [
  "test/support/mosquitto.ts",
  "test/support/influxd.ts",
  "test/support/postgres.ts",
  "test/support/pty.ts",
  "test/web/support/chromium.ts",
];

/** Packages that only talk to an external service. */
const SERVICE_PACKAGES = new Set(["pg"]);

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/**
 * Splits test/**\/*.test.ts into those that need an external service and
 * those that do not, following the relative imports of files under test/
 * (the product's own code in src/ starts no external program).
 */
export function splitTestsByServices(repoRoot: string): { unit: string[]; integration: string[] } {
  const testDir = join(repoRoot, "test");
  const helpers = new Set(SERVICE_HELPERS.map((h) => join(repoRoot, h)));
  const verdicts = new Map<string, boolean>();

  const needsService = (file: string): boolean => {
    const known = verdicts.get(file);
    if (known !== undefined) return known;
    verdicts.set(file, false); // an import cycle adds nothing
    let needs = helpers.has(file);
    if (!needs && existsSync(file)) {
      for (const [, spec] of readFileSync(file, "utf8").matchAll(IMPORT)) {
        if (spec === undefined) continue;
        if (SERVICE_PACKAGES.has(spec)) needs = true;
        else if (spec.startsWith(".")) {
          const target = resolve(dirname(file), spec);
          if (target.startsWith(testDir) && needsService(target)) needs = true;
        }
        if (needs) break;
      }
    }
    verdicts.set(file, needs);
    return needs;
  };

  const unit: string[] = [];
  const integration: string[] = [];
  for (const file of testFiles(testDir).sort()) {
    (needsService(file) ? integration : unit).push(relative(repoRoot, file));
  }
  return { unit, integration };
}
