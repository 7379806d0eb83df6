import { defineConfig } from "vitest/config";

// Two kinds of tests: fast unit/golden tests next to nothing else, and
// integration tests that need real services (Mosquitto, InfluxDB, socat,
// Chromium) which .ci/run installs and starts. Both run in `npm test`.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: ["default"],
  },
});
