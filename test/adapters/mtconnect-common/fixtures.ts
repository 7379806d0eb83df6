import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// The cppagent fixtures live in shared/ beside the repository (../shared from
// the repo root, as in CI); /work/shared is the same folder on a dev machine.
const here = dirname(fileURLToPath(import.meta.url));
const candidates = [
  resolve(here, "../../../../shared/fixtures/mtconnect/cppagent"),
  "/work/shared/fixtures/mtconnect/cppagent",
];

export const CPPAGENT_FIXTURES: string = candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);

if (!existsSync(CPPAGENT_FIXTURES)) {
  throw new Error(
    `cppagent fixtures not found (looked in ${candidates.join(", ")}): shared/ must sit beside the repo`,
  );
}
