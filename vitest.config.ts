import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { splitTestsByServices } from "./test/support/service-tests.ts";

// Two projects: "unit" needs nothing but Node (`npm run test:unit`, about two
// minutes on two busy cores), "integration" drives real Mosquitto, InfluxDB, PostgreSQL, socat
// and Chromium (scripts/test.sh installs and starts them). A test file belongs
// to "integration" when it imports, directly or not, a helper that starts one
// of those (see test/support/service-tests.ts). `npm test` runs both.
const split = splitTestsByServices(fileURLToPath(new URL(".", import.meta.url)));

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "unit", include: split.unit } },
      { extends: true, test: { name: "integration", include: split.integration } },
    ],
  },
});
