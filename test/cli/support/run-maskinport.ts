import { spawn } from "node:child_process";
import { join } from "node:path";

// The `maskinport` command run as a user runs it: a real process of
// bin/maskinport.mjs, for the tests of its subcommands (test/cli,
// test/training/cli.test.ts).

export const MASKINPORT_BIN = join(import.meta.dirname, "../../../bin/maskinport.mjs");

export type CliRun = { code: number | null; stdout: string; stderr: string };

/**
 * Runs `maskinport ...args` with `stdin` piped in (then closed) and collects
 * its exit code and output. MASKINPORT_TRAINING_POSTGRES_URL is blanked so a
 * developer's shell cannot point the test at their PostgreSQL: the tests name
 * their own store.
 */
export function runMaskinport(args: string[], stdin = ""): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MASKINPORT_BIN, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, MASKINPORT_TRAINING_POSTGRES_URL: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    child.stderr.on("data", (d) => (stderr += String(d)));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
