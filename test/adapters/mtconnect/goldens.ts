import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MachineBindingConfig } from "../../../src/adapters/mtconnect/bindings.ts";
import { convertDocument } from "../../../src/adapters/mtconnect/convert.ts";
import type { Golden } from "../../support/golden.ts";

// Golden cases of the MTConnect converter: each folder under cases/ holds a
// probe, a streams document and the machines bound to its devices (see
// cases/README.md); expected.json is what the converter makes of them.

export const MTCONNECT_CASES = join(import.meta.dirname, "cases");

/** The case folders under cases/, sorted. */
export function mtconnectCaseNames(): string[] {
  return readdirSync(MTCONNECT_CASES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** The readings of one case, as plain JSON (rx = 0). */
export function convertCase(name: string): unknown {
  const dir = join(MTCONNECT_CASES, name);
  const spec = JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as {
    machines: MachineBindingConfig[];
  };
  const readings = convertDocument(
    readFileSync(join(dir, "devices.xml"), "utf8"),
    readFileSync(join(dir, "streams.xml"), "utf8"),
    spec.machines,
    0,
  );
  return JSON.parse(JSON.stringify(readings)) as unknown;
}

export const mtconnectGoldens = (): Golden[] =>
  mtconnectCaseNames().map((name) => ({
    file: join(MTCONNECT_CASES, name, "expected.json"),
    render: () => `${JSON.stringify(convertCase(name), null, 2)}\n`,
  }));
