import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/load.ts";

// The `training:` section inside the whole config: optional, validated with
// the training layer's own schema, its path relative to the config file.

const base = `site: raufoss
gateway: { id: gw-1 }
mqtt:
  embedded: { port: 1883 }
machines:
  - id: lathe-1
    name: Mazak QT 200
    kind: lathe
    monitor: { type: shdr, host: 127.0.0.1, port: 7878 }
`;

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, "test.yaml", {});
  } catch (err) {
    if (err instanceof ConfigError)
      return err.problems.map((p) => `${p.line ?? "-"} ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("config: training section", () => {
  it("is optional: without it the gateway has no people and no sessions", () => {
    expect(parseConfig(base, "t", {}).training).toBeUndefined();
  });

  it("fills the training defaults", () => {
    const c = parseConfig(`${base}training: { demo: true }\n`, "t", {});
    expect(c.training).toMatchObject({
      demo: true,
      path: "data/training.db",
      idleCheckoutMinutes: 30,
      endOfDay: "17:00",
      onOccupied: "refuse",
    });
  });

  it("needs a pseudonym secret outside the demo, naming the place", () => {
    const p = problems(`${base}training: { idleCheckoutMinutes: 10 }\n`);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/training\.pseudonymSecret: a pseudonym secret is required/);
  });

  it("refuses a check-in reader limited to a machine that does not exist, with the line", () => {
    const yaml = `${base}training:
  demo: true
  checkinReaders:
    - { id: door, token: reader-token-0123456789, machines: [lathe-1, lathe-9] }
`;
    expect(problems(yaml)).toEqual([
      '13 training.checkinReaders[0].machines[1]: unknown machine "lathe-9"; expected one of the machines[].id: lathe-1',
    ]);
  });

  it("the demo config has the demo training section, its store next to the other demo data", () => {
    const c = loadConfig("config/demo.yaml", {});
    expect(c.training?.demo).toBe(true);
    expect(c.training?.path).toMatch(/^\/.*data\/demo-training\.db$/);
  });
});
