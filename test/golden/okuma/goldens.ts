import { fileURLToPath } from "node:url";
import type { Golden } from "../../support/golden.ts";
import { replayOkuma } from "./replay.ts";

/** expected.json: the summary of okuma.txt through the SHDR adapter and the pipeline. */
export const OKUMA_GOLDEN: Golden = {
  file: fileURLToPath(new URL("./expected.json", import.meta.url)),
  render: () => `${JSON.stringify(replayOkuma(), null, 2)}\n`,
};

export const okumaGoldens = (): Golden[] => [OKUMA_GOLDEN];
