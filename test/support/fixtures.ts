import { fileURLToPath } from "node:url";

// The third-party fixtures are part of the repository (fixtures/ at its root,
// see fixtures/README.md), so a fresh clone has everything a test reads.

/** fixtures/ at the repository root. */
export const FIXTURES_DIR: string = fileURLToPath(new URL("../../fixtures", import.meta.url));

/** The MTConnect reference agent's test data (okuma.txt, Devices.xml, samples/, history/). */
export const CPPAGENT_FIXTURES: string = `${FIXTURES_DIR}/mtconnect/cppagent`;
