// `check-config` is what a technician runs after every edit: it must stay fast,
// so it loads the config schemas (zod, yaml) and nothing of the protocols
// behind them. The demo config names OPC UA machines and an OPC UA simulator,
// so node-opcua would be loaded if any schema import pulled in an adapter or a
// simulator server. A preload records every module the process loads.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/maskinport.mjs");
const HOOK = join(import.meta.dirname, "support/record-loaded-modules.mjs");
const dir = mkdtempSync(join(tmpdir(), "mp-check-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkConfig(file: string, name: string) {
  const list = join(dir, `${name}.txt`);
  const r = spawnSync(process.execPath, ["--import", HOOK, BIN, "check-config", file], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, MASKINPORT_LOADED_MODULES: list },
  });
  const modules = readFileSync(list, "utf8").split("\n");
  return { ...r, modules };
}

const packageOf = (url: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];

describe("maskinport check-config loads no protocol library", () => {
  it("validates the demo config (OPC UA machines and simulator included) without node-opcua", () => {
    const r = checkConfig("config/demo.yaml", "demo");
    expect(r.stdout).toMatch(/^ok: config\/demo\.yaml/);
    // The hook did record: our own modules are there, so an empty list cannot pass.
    expect(r.modules.some((u) => u.endsWith("/src/config/schema.ts"))).toBe(true);
    expect(r.modules.some((u) => u.endsWith("/src/adapters/opcua/protocol.ts"))).toBe(true);
    const packages = new Set(r.modules.map(packageOf).filter((p) => p !== undefined));
    expect([...packages].sort()).toEqual(["yaml", "zod"]);
    // Neither an adapter nor a simulator server: only their schemas.
    const ours = r.modules.filter((u) => u.startsWith("file://") && !u.includes("node_modules"));
    expect(ours.filter((u) => /\/(adapter|server|simulator|connection)\.ts$/.test(u))).toEqual([]);
  });

  it("still reports a wrong simulator entry with its line and a did-you-mean hint", () => {
    const file = join(dir, "bad-sim.yaml");
    writeFileSync(
      file,
      `site: raufoss
gateway: { id: gw-1 }
mqtt:
  embedded: { port: 1883 }
machines:
  - { id: mill-4, name: Mill, kind: mill, monitor: { type: opcua, endpoint: "opc.tcp://127.0.0.1:4840" } }
simulators:
  - { type: opcua, port: 4840, machnes: 2 }
  - { type: modbus, port: 502 }
`,
    );
    const r = checkConfig(file, "bad-sim");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'line 8: simulators[0].machnes: unknown key "machnes"; did you mean "machines"?',
    );
    expect(r.stderr).toContain(
      "line 9: simulators[1].type: expected simulators[].type to be one of: shdr, mtconnect, opcua, dnc",
    );
    expect(r.modules.some((u) => packageOf(u)?.startsWith("node-opcua"))).toBe(false);
  });
});
