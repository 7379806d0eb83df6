import { describe, expect, it } from "vitest";
import { isSecretKey, MASK, maskSecrets, maskUrlCredentials } from "../../../src/web/admin/mask-secrets.ts";

// The admin page's view of the config must never show a secret: by key name
// anywhere in the tree, and as credentials inside any URL.

describe("maskSecrets", () => {
  it("masks every secret key at any depth and in lists, keeps everything else", () => {
    const config = {
      site: "raufoss",
      mqtt: { url: "mqtt://127.0.0.1:1883", username: "gw", password: "hemmelig" },
      timeseries: { influx: { url: "http://influx:8086", token: "influx-token-123", org: "lf" } },
      training: {
        pseudonymSecret: "0123456789abcdef0123",
        checkinReaders: [
          { id: "hall-a", token: "reader-token-a", machines: ["mill-1"] },
          { id: "door", token: "reader-token-b" },
        ],
        postgres: { url: "postgres://maskinport:pg-pass@db.local:5432/training" },
      },
      evidence: { xapi: { endpoint: "https://lrs.example/xapi", username: "lrs", password: "lrs-pw" } },
      machines: [{ id: "m1", monitor: { type: "opcua", username: "op", password: "opc-pw", port: 4840 } }],
      web: { secureCookies: "auto", liveRequiresLogin: false },
    };
    const masked = maskSecrets(config) as typeof config;
    const text = JSON.stringify(masked);
    for (const secret of [
      "hemmelig",
      "influx-token-123",
      "0123456789abcdef0123",
      "reader-token-a",
      "reader-token-b",
      "pg-pass",
      "lrs-pw",
      "opc-pw",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(masked.mqtt).toEqual({ url: "mqtt://127.0.0.1:1883", username: "gw", password: MASK });
    expect(masked.training.pseudonymSecret).toBe(MASK);
    expect(masked.training.checkinReaders[1]).toEqual({ id: "door", token: MASK });
    expect(masked.training.postgres.url).toBe(`postgres://${MASK}@db.local:5432/training`);
    expect(masked.machines[0]!.monitor.port).toBe(4840);
    expect(masked.web).toEqual(config.web);
    // The gateway keeps running on the real values.
    expect(config.mqtt.password).toBe("hemmelig");
  });

  it("masks a secret key whatever its value, except null, missing and yes/no", () => {
    expect(maskSecrets({ token: 12345, apiKey: ["a"], credentials: { user: "x", pw: "y" } })).toEqual({
      token: MASK,
      apiKey: MASK,
      credentials: MASK,
    });
    expect(maskSecrets({ password: null, tokenRequired: true, secret: undefined })).toEqual({
      password: null,
      tokenRequired: true,
      secret: undefined,
    });
  });

  it("masks URL credentials in strings under any key, and shows other values as they are", () => {
    expect(maskSecrets({ endpoint: "https://user:p%40ss@lrs.example/xapi" })).toEqual({
      endpoint: `https://${MASK}@lrs.example/xapi`,
    });
    expect(maskSecrets(["a", 1, null, true])).toEqual(["a", 1, null, true]);
    expect(maskSecrets(new Date(0))).toMatch(/1970/);
  });

  it("names secret keys by what they hold, in any case", () => {
    for (const key of [
      "password",
      "PASSWORD",
      "brokerPassword",
      "token",
      "readerToken",
      "pseudonymSecret",
      "api_key",
      "apiKey",
      "privateKey",
      "passphrase",
      "credentials",
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ["username", "url", "host", "port", "endpoint", "site", "passes"]) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });
});

describe("maskUrlCredentials", () => {
  it.each([
    ["mqtt://gw:secret@broker:1883", `mqtt://${MASK}@broker:1883`],
    ["mqtt://gw@broker", `mqtt://${MASK}@broker`],
    // A password with its own @ and / (written unencoded): everything up to the last @ goes.
    ["postgres://u:p@ss/w@db/x", `postgres://${MASK}@db/x`],
    ["two: http://a:b@h1/ and https://c:d@h2/", `two: http://${MASK}@h1/ and https://${MASK}@h2/`],
    ["https://lrs.example/xapi?token=abc&x=1", `https://lrs.example/xapi?token=${MASK}&x=1`],
    ["http://h/?api_key=k#f", `http://h/?api_key=${MASK}#f`],
    ["http://localhost:8086", "http://localhost:8086"],
    ["not a url", "not a url"],
  ])("%s → %s", (input, output) => {
    expect(maskUrlCredentials(input)).toBe(output);
  });
});
