// Rewrites expected.json from the current code. Run it only after checking
// that a changed summary is right:
//   node_modules/.bin/node test/golden/okuma/regenerate.ts
//   git diff test/golden/okuma/expected.json
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { replayOkuma } from "./replay.ts";

const file = fileURLToPath(new URL("./expected.json", import.meta.url));
writeFileSync(file, `${JSON.stringify(replayOkuma(), null, 2)}\n`);
console.log(`wrote ${file}`);
