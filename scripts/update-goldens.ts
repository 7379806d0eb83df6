// Rewrites every golden file from the current code: `npm run goldens:update`.
// The only writer of goldens (the tests only read them, so they can fail).
// Run it after an intended change, then review `git diff` before committing.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mtconnectGoldens } from "../test/adapters/mtconnect/goldens.ts";
import { opcuaGoldens } from "../test/adapters/opcua/goldens.ts";
import { okumaGoldens } from "../test/golden/okuma/goldens.ts";
import { type Golden, repoPath } from "../test/support/golden.ts";

const goldens: Golden[] = [...okumaGoldens(), ...mtconnectGoldens(), ...opcuaGoldens()];

let changed = 0;
for (const golden of goldens) {
  const text = golden.render();
  const before = existsSync(golden.file) ? readFileSync(golden.file, "utf8") : undefined;
  if (before === text) {
    console.log(`unchanged  ${repoPath(golden.file)}`);
    continue;
  }
  writeFileSync(golden.file, text);
  changed++;
  console.log(`${before === undefined ? "created" : "rewritten"}  ${repoPath(golden.file)}`);
}
console.log(
  changed === 0
    ? `${goldens.length} goldens, all unchanged`
    : `${changed} of ${goldens.length} goldens written: review \`git diff\` before committing`,
);
