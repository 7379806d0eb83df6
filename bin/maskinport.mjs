#!/usr/bin/env node
// Entry point of the `maskinport` command. The source is TypeScript run by
// Node 24's built-in type stripping, so no build step exists. When this file
// is started by an older system Node (a global install, a shell outside npm),
// re-run it under the project's own Node 24 binary if it is there.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const major = Number(process.versions.node.split(".")[0]);

if (major < 24) {
  const local = join(root, "node_modules", "node", "bin", "node");
  if (existsSync(local)) {
    const r = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: "inherit",
    });
    process.exit(r.status ?? 1);
  }
  console.error(`maskinport needs Node 24 (this is ${process.versions.node}); run \`npm install\` first.`);
  process.exit(1);
}

await import(join(root, "src", "cli", "main.ts"));
