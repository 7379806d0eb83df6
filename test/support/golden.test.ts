import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGolden } from "./golden.ts";

describe("readGolden", () => {
  it("a missing golden fails, naming the command that writes goldens", () => {
    const file = join(mkdtempSync(join(tmpdir(), "maskinport-golden-")), "expected.json");
    expect(() => readGolden(file)).toThrow(
      /golden file missing: .*expected\.json\. Write it with `npm run goldens:update`/,
    );
  });

  it("returns the checked-in text as it is", () => {
    const file = join(mkdtempSync(join(tmpdir(), "maskinport-golden-")), "expected.txt");
    writeFileSync(file, "a ← b\n");
    expect(readGolden(file)).toBe("a ← b\n");
  });
});
