import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGolden } from "../../support/golden.ts";
import { convertCase, MTCONNECT_CASES, mtconnectCaseNames } from "./goldens.ts";

// Golden cases: probe + streams document → readings (see cases/README.md).
// After an intended change, `npm run goldens:update` rewrites expected.json;
// review the diff. A missing expected.json fails the case.

describe("MTConnect converter golden cases", () => {
  const names = mtconnectCaseNames();

  it("has the three golden cases", () => {
    expect(names).toEqual(["nist-current", "prefixed-2x", "simple-stream"]);
  });

  for (const name of names) {
    it(name, () => {
      const expected = JSON.parse(readGolden(join(MTCONNECT_CASES, name, "expected.json"))) as unknown;
      expect(convertCase(name)).toEqual(expected);
    });
  }
});
