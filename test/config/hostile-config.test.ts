import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { substitute } from "../../src/config/env.ts";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import { configError, ONE_LATHE_SITE_YAML, problemLines } from "../support/config-problems.ts";

// Issue 13 item 5: config edge cases a hostile (or unlucky) file or
// environment hits. Each used to crash with a stack, mistype a secret, print
// it, or take quadratic time.

const base = ONE_LATHE_SITE_YAML;

const withExternalBroker = (auth: string) =>
  base.replace("embedded: { port: 1883 }", `url: mqtt://broker:1883\n${auth}`);

function checkConfig(text: string) {
  const dir = mkdtempSync(join(tmpdir(), "mp-hostile-cfg-"));
  const file = join(dir, "site.yaml");
  writeFileSync(file, text);
  return spawnSync(process.execPath, ["bin/maskinport.mjs", "check-config", file], { encoding: "utf8" });
}

describe("config: YAML aliases", () => {
  it("an alias without its anchor is a config problem with its line, not a ReferenceError", () => {
    const err = configError(base.replace("site: raufoss", "site: *a"));
    expect(problemLines(err)).toEqual([
      "1 (yaml): alias *a refers to no anchor &a above it (set the anchor before using it, or write the value out)",
    ]);
  });

  it("an alias bomb is refused as a config problem", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
    ].join("\n");
    const err = configError(`${base}${bomb}\n`);
    expect(err.problems).toHaveLength(1);
    expect(problemLines(err)[0]).toMatch(/^1\d \(yaml\): aliases expand to too many values/);
  });

  it("check-config prints the problem, no stack, and exits 1", () => {
    const r = checkConfig(base.replace("site: raufoss", "site: *a"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("line 1: (yaml): alias *a refers to no anchor &a");
    expect(r.stderr).not.toMatch(/ReferenceError|\n\s+at /);
  });

  it("anchors and aliases used well still work", () => {
    const c = parseConfig(
      base.replace("site: raufoss", "site: &s raufoss").replace("name: Mazak QT 200", "name: *s"),
      "t",
      {},
    );
    expect(c.machines[0]?.name).toBe("raufoss");
  });
});

describe("config: ${VAR} values are strings, and never printed", () => {
  const withPassword = withExternalBroker("  username: gw\n  password: ${MQTT_PASSWORD}");

  it("an all-digits password stays a string", () => {
    const c = parseConfig(withPassword, "t", { MQTT_PASSWORD: "123456" });
    expect(c.mqtt.password).toBe("123456");
  });

  it("a value holding #, ': ', quotes and spaces is taken as it is, not parsed again", () => {
    const value = 'a #b: c d\n"e" [f]: {g}';
    const c = parseConfig(withPassword, "t", { MQTT_PASSWORD: value });
    expect(c.mqtt.password).toBe(value);
  });

  it("whole-value references still become numbers and booleans where the schema wants them", () => {
    const yaml = base
      .replace("port: 7878", 'port: "${LATHE_PORT}"')
      .replace("embedded: { port: 1883 }", "embedded: { port: 1883 }\n  signalQos: ${QOS}");
    const c = parseConfig(`${yaml}outbox: { enabled: "\${OUTBOX:-false}" }\n`, "t", {
      LATHE_PORT: "7900",
      QOS: "1",
    });
    const monitor = c.machines[0]!.monitor;
    expect(monitor?.type === "shdr" && monitor.port).toBe(7900);
    expect(c.mqtt.signalQos).toBe(1);
    expect(c.outbox.enabled).toBe(false);
  });

  it("a bad substituted value is reported by its reference, never by its value", () => {
    const secret = "hunter2-very-secret";
    const err = configError(base.replace("port: 7878", 'port: "${LATHE_PORT}"'), { LATHE_PORT: secret });
    expect(problemLines(err)).toEqual([
      '9 machines[0].monitor.port: expected integer 1–65535, got "${LATHE_PORT}" (after substituting the environment)',
    ]);
    expect(err.message).not.toContain(secret);
  });

  it("a substituted password inside a URL never shows, even when the URL is refused", () => {
    const yaml = base.replace("embedded: { port: 1883 }", 'url: "mqtt://gw:${MQTT_PASSWORD}@broker:1883"');
    const err = configError(yaml, { MQTT_PASSWORD: "pa ss word" });
    expect(err.message).toContain("mqtt.url");
    expect(err.message).not.toContain("pa ss");
    expect(err.message).not.toContain("word");
  });

  it("a password written into mqtt.url is never echoed whole, even with a space in it", () => {
    const err = configError(
      base.replace("embedded: { port: 1883 }", 'url: "mqtt://gw:pa ss/w@rd@broker:1883"'),
    );
    expect(problemLines(err)).toEqual([
      '4 mqtt.url: expected a broker URL like mqtt://host:1883 or mqtts://host:8883, got "mqtt://***@broker:1883"',
    ]);
  });

  it("${A:-default} substitution is linear: 200,000 unclosed `${A:-` read in well under a second", () => {
    const text = "${A:-".repeat(200_000);
    const start = performance.now();
    const result = substitute(text, {});
    expect(performance.now() - start).toBeLessThan(500);
    expect(result.value).toBe(text);
    // And through the loader (the old regex took 4.4 s for 20,000 of them, quadratic beyond).
    const t0 = performance.now();
    expect(() => parseConfig(base.replace("site: raufoss", `site: "${text}"`), "t", {})).toThrow(ConfigError);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("substitution reads like the shell's ${VAR:-default}", () => {
    expect(substitute("${A}-${B:-b}-${C:-}", { A: "a" }).value).toBe("a-b-");
    expect(substitute("${A}", { A: "" }).missing).toEqual(["A"]);
    expect(substitute("$A ${ ${1x} ${A:-x${B}}", { B: "no" }).value).toBe("$A ${ ${1x} x${B}");
    expect(substitute("${A:-1}", {}).whole).toBe(true);
    expect(substitute("x${A}", { A: "1" }).whole).toBe(false);
  });
});

describe("config: the embedded broker's credentials", () => {
  it("a password without a user name fails check-config (it used to fail only at run)", () => {
    const yaml = base.replace("embedded: { port: 1883 }", "embedded: { port: 1883, password: s3cret }");
    expect(problemLines(configError(yaml))).toEqual([
      "4 mqtt.embedded.username: set both mqtt.embedded.username and mqtt.embedded.password, or neither",
    ]);
    const r = checkConfig(yaml);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain("s3cret");
  });

  it("user name and password together pass", () => {
    const yaml = base.replace(
      "embedded: { port: 1883 }",
      "embedded: { port: 1883, username: gw, password: s3cret }",
    );
    expect(parseConfig(yaml, "t", {}).mqtt.embedded?.username).toBe("gw");
  });
});
