#!/usr/bin/env node
// Entry point of the `maskinport` command. The source is TypeScript run by
// Node 24's built-in type stripping, so no build step exists. When this file
// is started by an older system Node (a global install, a shell outside npm),
// re-run it under the project's own Node 24 binary if it is there. Under Node
// 24 without the runtime flags (node-flags.mjs), replace this process with one
// that has them.
import { existsSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_FLAGS } from "./node-flags.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const script = fileURLToPath(import.meta.url);
const major = Number(process.versions.node.split(".")[0]);

if (major < 24) {
  const local = join(root, "node_modules", "node", "bin", "node");
  if (existsSync(local)) {
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(local, [...NODE_FLAGS, script, ...process.argv.slice(2)], { stdio: "inherit" });
    process.exit(r.status ?? 1);
  }
  console.error(`maskinport needs Node 24 (this is ${process.versions.node}); run \`npm install\` first.`);
  process.exit(1);
}

// The flags are for the long-running commands; a check of a config file is over before they
// matter, and a second start of Node would cost it a sixth of its time.
const oneShot = process.argv[2] === "check-config";
const missing = oneShot ? [] : NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag));
// process.execve exists on POSIX only; elsewhere the gateway runs without the flags (slower, same
// behaviour). The marker makes sure a Node that hid a flag from execArgv could not loop here.
if (missing.length > 0 && typeof process.execve === "function" && !process.env.MASKINPORT_REEXECUTED) {
  process.execve(
    process.execPath,
    [process.execPath, ...missing, ...process.execArgv, script, ...process.argv.slice(2)],
    { ...process.env, MASKINPORT_REEXECUTED: "1" },
  );
}

// V8's code cache and the type-stripped sources on disk (the OS temp folder): a later start
// skips compiling them again (check-config: about 40 % less CPU). A cache that cannot be
// written only means no speed-up.
enableCompileCache();

await import(join(root, "src", "cli", "main.ts"));
