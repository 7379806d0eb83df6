import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

// Golden files are read by the tests and written only by `npm run
// goldens:update` (scripts/update-goldens.ts). A test never writes one: a
// test that rewrote its expectation when asked, or when the file was missing,
// could not fail.

/** One checked-in expected output and how to compute it from the current code. */
export type Golden = {
  /** Absolute path of the checked-in file. */
  file: string;
  /** The file's whole text as the current code produces it. */
  render(): string;
};

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The path as shown to people: relative to the repository root. */
export function repoPath(file: string): string {
  return relative(REPO_ROOT, file);
}

/** The checked-in text of a golden file; a missing one is an error naming the command that writes it. */
export function readGolden(file: string): string {
  if (!existsSync(file)) {
    throw new Error(
      `golden file missing: ${repoPath(file)}. Write it with \`npm run goldens:update\` and review it before committing.`,
    );
  }
  return readFileSync(file, "utf8");
}
