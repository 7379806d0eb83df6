import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MachineBindingConfig } from "../../../src/adapters/mtconnect/bindings.ts";
import { convertDocument } from "../../../src/adapters/mtconnect/convert.ts";

// Golden cases: probe + streams document → readings (see cases/README.md).
// UPDATE_GOLDEN=1 rewrites expected.json from the current converter.

const CASES = join(import.meta.dirname, "cases");

describe("MTConnect converter golden cases", () => {
  const names = readdirSync(CASES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);

  it("has the three golden cases", () => {
    expect(names.sort()).toEqual(["nist-current", "prefixed-2x", "simple-stream"]);
  });

  for (const name of names) {
    it(name, () => {
      const dir = join(CASES, name);
      const spec = JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as {
        machines: MachineBindingConfig[];
      };
      const readings = convertDocument(
        readFileSync(join(dir, "devices.xml"), "utf8"),
        readFileSync(join(dir, "streams.xml"), "utf8"),
        spec.machines,
        0,
      );
      const expectedFile = join(dir, "expected.json");
      if (process.env.UPDATE_GOLDEN) writeFileSync(expectedFile, `${JSON.stringify(readings, null, 2)}\n`);
      expect(JSON.parse(JSON.stringify(readings))).toEqual(JSON.parse(readFileSync(expectedFile, "utf8")));
    });
  }
});
