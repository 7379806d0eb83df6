import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// Every browser module of the pages is type-checked like the server code:
// checkJs + strict with the DOM library, one project (src/web/public/tsconfig.json),
// the same TypeScript as `npm run typecheck`.

const PUBLIC = fileURLToPath(new URL("../../src/web/public/", import.meta.url));
const TSC = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "mp-page-typecheck-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** tsc on a project; its output and whether it passed. */
function tsc(...args: string[]): { ok: boolean; output: string } {
  try {
    return {
      ok: true,
      output: execFileSync(process.execPath, [TSC, ...args], { encoding: "utf8", stdio: "pipe" }),
    };
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout ?? ""}${stderr ?? ""}` };
  }
}

describe("browser code", () => {
  it("type-checks: every page script, strict, with the DOM library", () => {
    const result = tsc("-p", PUBLIC, "--noEmit");
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  }, 120_000);

  it("the project covers every script in public/ (a new page cannot slip past the check)", () => {
    const listed = tsc("-p", PUBLIC, "--noEmit", "--listFilesOnly")
      .output.split("\n")
      .filter((path) => path.startsWith(PUBLIC.replace(/\/$/, "")))
      .map((path) => path.slice(PUBLIC.length));
    const scripts = readdirSync(PUBLIC).filter((name) => name.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(20);
    expect(scripts.filter((name) => !listed.includes(name))).toEqual([]);
  }, 120_000);

  it("is strict: an untyped parameter or an unchecked null in a page script fails the check", () => {
    const config = JSON.parse(readFileSync(join(PUBLIC, "tsconfig.json"), "utf8"));
    expect(config.compilerOptions).toMatchObject({ checkJs: true, strict: true, allowJs: true });
    expect(config.compilerOptions.lib).toContain("dom");
    // The same options on a small bad script: both mistakes must be reported.
    writeFileSync(
      join(scratch, "bad.js"),
      'export function twice(x) { return x * 2; }\ndocument.getElementById("a").hidden = true;\n',
    );
    writeFileSync(
      join(scratch, "tsconfig.json"),
      JSON.stringify({ extends: join(PUBLIC, "tsconfig.json"), include: ["bad.js"] }),
    );
    const result = tsc("-p", scratch, "--noEmit");
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/bad\.js\(1,\d+\): error TS7006/);
    expect(result.output).toMatch(/bad\.js\(2,\d+\): error TS2531|bad\.js\(2,\d+\): error TS18047/);
  }, 120_000);
});
