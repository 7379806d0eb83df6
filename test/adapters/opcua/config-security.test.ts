import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { opcuaMonitorSchema } from "../../../src/adapters/opcua/config.ts";
import { chooseSecurity, type OfferedEndpoint } from "../../../src/adapters/opcua/security.ts";

const P = "http://opcfoundation.org/UA/SecurityPolicy#";

function issues(input: unknown): string[] {
  const r = opcuaMonitorSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("opcua monitor config", () => {
  it("needs only the endpoint and fills secure, bounded defaults", () => {
    const c = opcuaMonitorSchema.parse({ type: "opcua", endpoint: "opc.tcp://mill-3.verksted.lan:4840" });
    expect(c).toMatchObject({
      securityMode: "auto",
      securityPolicy: "auto",
      pkiDir: "data/opcua-pki",
      events: true,
      samplingIntervalMs: 250,
      publishingIntervalMs: 500,
      queueSize: 10,
      deadband: 0,
      chunkSize: 500,
      offlineAfterMs: 10_000,
      reconnect: { initialMs: 500, maxMs: 30_000 },
    });
  });

  it("accepts an explicit node map with node ids, browse paths and options", () => {
    const c = opcuaMonitorSchema.parse({
      type: "opcua",
      endpoint: "opc.tcp://10.0.0.5:4840/plc",
      username: "gw",
      password: "secret",
      nodes: {
        "spindle.speed": "ns=2;s=Spindle.Speed",
        execution: { node: "/2:Machine/2:State", map: { "1": "ACTIVE" } },
        "raw.coolant": "nsu=urn:plc;i=17",
      },
    });
    expect(Object.keys(c.nodes ?? {})).toEqual(["spindle.speed", "execution", "raw.coolant"]);
  });

  it("rejects what would fail later, naming the field", () => {
    expect(issues({ type: "opcua", endpoint: "http://x:4840" })).toEqual([
      "endpoint: expected an OPC UA endpoint like opc.tcp://host:4840",
    ]);
    expect(issues({ type: "opcua", endpoint: "opc.tcp://x:4840", username: "u" })).toEqual([
      "password: set both username and password (the password as an environment reference), or neither for anonymous login",
    ]);
    expect(
      issues({ type: "opcua", endpoint: "opc.tcp://x", nodes: { spindle_speed: "ns=2;s=S" } })[0],
    ).toMatch(/^nodes\.spindle_speed: expected a catalogue signal id/);
    expect(
      issues({ type: "opcua", endpoint: "opc.tcp://x", nodes: { "spindle.speed": "Spindle.Speed" } })[0],
    ).toMatch(/^nodes\.spindle\.speed: expected a node id/);
    expect(
      issues({
        type: "opcua",
        endpoint: "opc.tcp://x",
        securityMode: "None",
        securityPolicy: "Basic256Sha256",
      }),
    ).toEqual(['securityPolicy: securityMode None needs securityPolicy None (or "auto")']);
    expect(issues({ type: "opcua", endpoint: "opc.tcp://x", securityMode: "Encrypt" })[0]).toMatch(
      /^securityMode:/,
    );
    expect(issues({ type: "opcua", endpoint: "opc.tcp://x", sampling: 100 })[0]).toMatch(/sampling/);
  });
});

describe("opcua sample.yaml", () => {
  it("every monitor in the documented sample is valid", () => {
    const text = readFileSync(new URL("../../../src/adapters/opcua/sample.yaml", import.meta.url), "utf8");
    const doc = parse(text.replace(/\$\{MILL3_OPCUA_PASSWORD\}/, "from-env")) as {
      machines: { monitor: unknown }[];
    };
    expect(doc.machines).toHaveLength(2);
    for (const m of doc.machines) expect(issues(m.monitor)).toEqual([]);
  });
});

describe("opcua security choice", () => {
  const all: OfferedEndpoint[] = [
    { securityMode: 1, securityPolicyUri: `${P}None`, securityLevel: 0 },
    { securityMode: 2, securityPolicyUri: `${P}Basic256Sha256`, securityLevel: 3 },
    { securityMode: 3, securityPolicyUri: `${P}Basic256Sha256`, securityLevel: 4 },
    { securityMode: 3, securityPolicyUri: `${P}Basic128Rsa15`, securityLevel: 1 },
  ];

  it("auto: the strongest offered (encrypt, then sign, then none)", () => {
    expect(chooseSecurity(all, { mode: "auto", policy: "auto" })).toEqual({
      mode: "SignAndEncrypt",
      policy: "Basic256Sha256",
    });
    expect(chooseSecurity(all.slice(0, 2), { mode: "auto", policy: "auto" })).toMatchObject({
      mode: "Sign",
      warning: expect.stringMatching(/signed but readable/),
    });
    expect(chooseSecurity(all.slice(0, 1), { mode: "auto", policy: "auto" })).toMatchObject({
      mode: "None",
      policy: "None",
      warning: expect.stringMatching(/not protected/),
    });
  });

  it("prefers the stronger policy within a mode and ignores deprecated ones", () => {
    const offered = [
      ...all,
      { securityMode: 3, securityPolicyUri: `${P}Aes256_Sha256_RsaPss`, securityLevel: 2 },
    ];
    expect(chooseSecurity(offered, { mode: "auto", policy: "auto" }).policy).toBe("Aes256_Sha256_RsaPss");
    expect(() => chooseSecurity(all.slice(3), { mode: "auto", policy: "auto" })).toThrow(
      /offers: SignAndEncrypt\/Basic128Rsa15/,
    );
  });

  it("an explicit choice the server lacks is an error that lists what it offers", () => {
    expect(chooseSecurity(all, { mode: "None", policy: "auto" })).toEqual({ mode: "None", policy: "None" });
    expect(() => chooseSecurity(all.slice(0, 1), { mode: "SignAndEncrypt", policy: "auto" })).toThrow(
      "the server offers no endpoint with securityMode SignAndEncrypt and securityPolicy auto; it offers: None/None",
    );
  });
});
