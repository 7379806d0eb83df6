import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../src/config/load.ts";
import { loadSiteConfig } from "../../src/gateway/site-config.ts";
import { configProblems, ONE_LATHE_SITE_YAML } from "../support/config-problems.ts";

const base = ONE_LATHE_SITE_YAML;

const problems = configProblems;

describe("config: valid files", () => {
  it("fills defaults", () => {
    const c = parseConfig(base, "t", {});
    expect(c.web).toEqual({
      port: 8080,
      host: "0.0.0.0",
      liveRequiresLogin: false,
      secureCookies: "auto",
    });
    expect(c.timeseries.embedded?.path).toBe("data/timeseries.db");
    expect(c.mqtt.signalQos).toBe(0);
    const m = c.machines[0]!;
    expect(m.monitor?.type === "shdr" && m.monitor.heartbeatMs).toBe(10_000);
  });

  it("the demo config is valid and resolves paths relative to its folder", () => {
    const c = loadConfig("config/demo.yaml", {});
    expect(c.machines.length).toBeGreaterThanOrEqual(4);
    expect(c.simulators.length).toBeGreaterThanOrEqual(1);
    expect(c.timeseries.embedded?.path).toMatch(/^\/.*data\/demo-timeseries\.db$/);
  });

  it("the demo's replayed log and device model are files of this repository (fixtures/)", async () => {
    const c = await loadSiteConfig("config/demo.yaml", {});
    const files = [
      ...c.simulators.flatMap((s) => ("replay" in s && typeof s.replay === "string" ? [s.replay] : [])),
      ...c.machines.flatMap((m) =>
        m.monitor?.type === "shdr" && m.monitor.devicesXml ? [m.monitor.devicesXml] : [],
      ),
    ];
    expect(files.map((f) => f.replace(process.cwd(), "."))).toEqual([
      "./fixtures/mtconnect/cppagent/okuma.txt",
      "./fixtures/mtconnect/cppagent/Devices.xml",
    ]);
    for (const f of files) expect(existsSync(f), f).toBe(true);
  });
});

describe("config: errors name the place and the fix", () => {
  it("bad port: path, expectation and the value given, with the YAML line", () => {
    const p = problems(base.replace("port: 7878", 'port: "78x8"'));
    expect(p).toEqual(['9 machines[0].monitor.port: expected integer 1–65535, got "78x8"']);
  });

  it("unknown keys get a did-you-mean hint", () => {
    expect(problems(base.replace("embedded:", "embeded:"))).toContain(
      '4 mqtt.embeded: unknown key "embeded"; did you mean "embedded"?',
    );
    expect(problems(base.replace("port: 7878", "port: 7878, heartbeat: 5"))[0]).toMatch(
      /machines\[0\]\.monitor\.heartbeat: unknown key "heartbeat"; did you mean "heartbeatMs"\?/,
    );
  });

  it("unknown keys far from any known key list the allowed keys", () => {
    expect(problems(`${base}colour: red\n`)[0]).toMatch(
      /colour: unknown key "colour"; allowed keys: site, gateway/,
    );
  });

  it("enum typos suggest the closest value", () => {
    expect(problems(base.replace("kind: lathe", "kind: lath"))[0]).toMatch(
      /machines\[0\]\.kind: expected one of .*\(did you mean "lathe"\?\), got "lath"/,
    );
  });

  it("unknown monitor type lists the supported ones", () => {
    expect(problems(base.replace("type: shdr", "type: modbus"))[0]).toMatch(
      /machines\[0\]\.monitor\.type: expected monitor\.type to be one of: shdr/,
    );
  });

  it("missing required keys say so", () => {
    expect(problems(base.replace("    name: Mazak QT 200\n", ""))).toEqual([
      "6 machines[0].name: expected string, but it is missing",
    ]);
  });

  it("duplicate machine ids are rejected", () => {
    const twice = `${base}  - id: lathe-1\n    name: B\n    kind: lathe\n`;
    expect(problems(twice)[0]).toMatch(
      /machines\[1\]\.id: duplicate machine id "lathe-1" \(also machines\[0\]\)/,
    );
  });

  it("ids must be topic-safe", () => {
    expect(problems(base.replace("id: lathe-1", "id: Lathe 1"))[0]).toMatch(
      /machines\[0\]\.id: expected a machine id/,
    );
  });

  it("exactly one of embedded broker or url", () => {
    const both = base.replace("embedded: { port: 1883 }", "embedded: { port: 1883 }\n  url: mqtt://x:1883");
    expect(problems(both)[0]).toMatch(/mqtt: set exactly one of mqtt\.embedded/);
  });

  it("YAML syntax errors carry a line", () => {
    expect(problems(`${base}  - id: [unclosed\n`)[0]).toMatch(/^\d+ \(yaml\):/);
  });

  it("collects every problem, not just the first", () => {
    const bad = base.replace("kind: lathe", "kind: boat").replace("port: 7878", "port: 0");
    expect(problems(bad)).toHaveLength(2);
  });
});

describe("config: web.shiftStarts", () => {
  const withShifts = (value: string) => `${base}web: { shiftStarts: ${value} }\n`;

  it("takes local times of day, in any order", () => {
    expect(parseConfig(withShifts('["08:00", "12:30"]'), "t", {}).web.shiftStarts).toEqual([
      "08:00",
      "12:30",
    ]);
    expect(parseConfig(base, "t", {}).web.shiftStarts).toBeUndefined();
  });

  it.each([
    ['["8:00"]', 'web.shiftStarts[0]: expected a time of day "HH:MM" (24 h), like "16:30", got "8:00"'],
    [
      '["07:00", "24:00"]',
      'web.shiftStarts[1]: expected a time of day "HH:MM" (24 h), like "16:30", got "24:00"',
    ],
    ['["07:00", "07:00"]', "web.shiftStarts: expected each time once"],
    ["[]", "web.shiftStarts: expected at least one shift start (or leave the key out for the default)"],
    ['"07:00"', 'web.shiftStarts: expected a list of times of day, like ["08:00", "12:30"]'],
  ])("%s is refused, naming the key and the fix", (value, message) => {
    const p = problems(withShifts(value));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(message);
  });
});

describe("config: ${ENV} substitution", () => {
  const withUrl = base.replace(
    "embedded: { port: 1883 }",
    "url: mqtt://broker:1883\n  username: gw\n  password: ${MQTT_PASSWORD}",
  );

  it("substitutes secrets from the environment", () => {
    const c = parseConfig(withUrl, "t", { MQTT_PASSWORD: "s3cret" });
    expect(c.mqtt.password).toBe("s3cret");
  });

  it("a missing variable is an error naming the key and the variable", () => {
    expect(problems(withUrl)).toContain(
      "6 mqtt.password: environment variable MQTT_PASSWORD is not set (set it, or write ${MQTT_PASSWORD:-default})",
    );
  });

  it("defaults and numeric values", () => {
    const c = parseConfig(base.replace("port: 7878", 'port: "${LATHE_PORT:-7900}"'), "t", {});
    const monitor = c.machines[0]!.monitor;
    expect(monitor?.type === "shdr" && monitor.port).toBe(7900);
  });
});

describe("maskinport check-config", () => {
  const run = (file: string) =>
    spawnSync(process.execPath, ["bin/maskinport.mjs", "check-config", file], { encoding: "utf8" });

  it("prints ok and exits 0 for a valid file", () => {
    const r = run("config/demo.yaml");
    expect(r.stdout).toMatch(/^ok: config\/demo\.yaml/);
    expect(r.status).toBe(0);
  });

  it("prints the problems and exits 1 for an invalid file", () => {
    const dir = mkdtempSync(join(tmpdir(), "mp-cfg-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, base.replace("port: 7878", "port: 99999"));
    const r = run(file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("line 9: machines[0].monitor.port: expected integer 1–65535, got 99999");
  });

  it("a missing file is a clear error", () => {
    const r = run("/nonexistent/site.yaml");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("/nonexistent/site.yaml: 1 problem\n  (file): file not found");
  });
});
