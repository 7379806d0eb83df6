// deploy/systemd: the unit and the site file a technician starts from. Checked
// without systemd running: what the unit runs exists in this repository (at
// /opt/maskinport), the site file passes check-config, and every file the
// gateway would write lies in the one folder the unit lets it write
// (StateDirectory, under ProtectSystem=strict). The compose stack's config
// gets the same check for its data volume.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import type { MaskinportConfig } from "../../src/config/schema.ts";

const root = join(import.meta.dirname, "../..");
const INSTALL_DIR = "/opt/maskinport";
const SECRETS = { MASKINPORT_PSEUDONYM_SECRET: "test-only-secret-0123", INFLUX_PASSWORD: "test-only" };

/** `Key=value` lines of a unit file, repeated keys kept in order. */
function unitKeys(text: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) keys.set(m[1]!, [...(keys.get(m[1]!) ?? []), m[2]!]);
  }
  return keys;
}

/** Every file or folder the gateway writes, as its config resolves them. */
function writtenPaths(config: MaskinportConfig): string[] {
  return [
    config.outbox.path,
    config.library.path,
    config.timeseries.embedded?.path,
    config.training?.path,
  ].filter((p): p is string => p !== undefined);
}

/** An absolute path in the unit, as it is in this checkout once installed at /opt/maskinport. */
const inRepo = (p: string) =>
  p.startsWith(`${INSTALL_DIR}/`) ? join(root, p.slice(INSTALL_DIR.length + 1)) : p;

describe("deploy/systemd", () => {
  const unit = unitKeys(readFileSync(join(root, "deploy/systemd/maskinport.service"), "utf8"));
  const one = (key: string) => {
    const values = unit.get(key) ?? [];
    expect(values, key).toHaveLength(1);
    return values[0]!;
  };

  it("runs the project's own Node 24 on the site file, checked first, restarted always", () => {
    expect(one("WorkingDirectory")).toBe(INSTALL_DIR);
    const [node, script, ...args] = one("ExecStart").split(" ");
    expect(node).toBe(`${INSTALL_DIR}/node_modules/node/bin/node`);
    expect(existsSync(inRepo(node!)), "npm ci installs node_modules/node/bin/node").toBe(true);
    expect(existsSync(join(root, script!))).toBe(true);
    expect(args).toEqual(["run", "--config", "/etc/maskinport/site.yaml"]);
    expect(one("ExecStartPre")).toBe(`${node} ${script} check-config /etc/maskinport/site.yaml`);
    expect(one("Restart")).toBe("always");
    expect(one("User")).toBe("maskinport");
    expect(one("SupplementaryGroups")).toBe("dialout");
  });

  it("lets the gateway write only its state folder, and the site file writes nothing elsewhere", () => {
    expect(one("ProtectSystem")).toBe("strict");
    const stateDir = `/var/lib/${one("StateDirectory")}`;
    const config = loadConfig(join(root, "deploy/systemd/site.yaml"), SECRETS);
    const written = writtenPaths(config);
    expect(written.length).toBeGreaterThanOrEqual(4);
    for (const p of written) expect(p, p).toMatch(new RegExp(`^${stateDir}/`));
    // The catalogue it reads is the one shipped with the install.
    expect(config.evidence?.catalogue).toBe(`${INSTALL_DIR}/config/competence`);
    expect(existsSync(inRepo(config.evidence!.catalogue))).toBe(true);
  });

  it("the site file passes check-config, and keeps its secrets in the environment", () => {
    const r = spawnSync(
      process.execPath,
      [join(root, "bin/maskinport.mjs"), "check-config", join(root, "deploy/systemd/site.yaml")],
      { env: { ...process.env, ...SECRETS }, encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ok: .*site\.yaml/);
    expect(readFileSync(join(root, "deploy/systemd/site.yaml"), "utf8")).not.toMatch(
      /(password|Secret): (?!"?\$\{)/,
    );
  });
});

describe("compose stack's config (config/real-services.yaml)", () => {
  it("writes only into the gateway's data volume (/app/data): the config folder is mounted read-only", () => {
    const config = loadConfig(join(root, "config/real-services.yaml"), SECRETS);
    const written = writtenPaths(config);
    expect(written).toContain("/app/data/library.db");
    for (const p of written) expect(p, p).toMatch(/^\/app\/data\//);
  });
});
