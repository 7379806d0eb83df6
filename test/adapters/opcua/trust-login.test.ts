// Certificates and logins against a simulator that offers only
// SignAndEncrypt and refuses anonymous users: an unknown server certificate
// is refused and parked in rejected/, `maskinport opcua trust` lets it in;
// a wrong password is a clear error that never shows the password.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type OpcuaSimulator, startOpcuaSimulator } from "../../../simulators/opcua/server.ts";
import { runOpcuaCli } from "../../../src/adapters/opcua/cli.ts";
import { type Harness, startAdapter, tempDir, waitFor } from "./helpers.ts";

const dir = tempDir("opcua-trust");
let sim: OpcuaSimulator;
const harnesses: Harness[] = [];
const PASSWORD = "s3cret-Pw";

beforeAll(async () => {
  sim = await startOpcuaSimulator({
    port: 0,
    machines: 1,
    autoOperator: false,
    pkiDir: `${dir.path}/sim-pki`,
    securityModes: ["SignAndEncrypt"],
    users: { operator: PASSWORD },
    allowAnonymous: false,
  });
});

afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.stop()));
  await sim?.close();
  dir.remove();
});

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  try {
    const code = await runOpcuaCli(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

async function adapter(pki: string, login: { username?: string; password?: string }): Promise<Harness> {
  const h = await startAdapter("lathe-1", { endpoint: sim.endpoint, pkiDir: join(dir.path, pki), ...login });
  harnesses.push(h);
  return h;
}

describe("opcua adapter: certificates and login", () => {
  it("rejects an unknown server certificate, keeps it in rejected/, and connects once it is trusted", async () => {
    const h = await adapter("gw-a", { username: "operator", password: PASSWORD });
    const err = await waitFor("certificate error", () => h.adapter.lastError);
    const tp = /server certificate ([0-9a-f]{40}) is not trusted \(BadCertificateUntrusted\)/.exec(err)?.[1];
    expect(tp, err).toBeDefined();
    expect(err).toContain(`maskinport opcua trust ${tp} --pki ${join(dir.path, "gw-a")}`);
    expect(h.logs.filter((l) => l.level === 50).map((l) => l.msg)).toEqual([err]);
    expect(readdirSync(join(dir.path, "gw-a", "rejected")).join()).toContain(tp);
    // Our own application certificate was created in the PKI folder on first run.
    expect(existsSync(join(dir.path, "gw-a", "own", "certs"))).toBe(true);
    expect(h.readings.some((r) => r.signal === "execution")).toBe(false);

    const listed = await cli(["list", "--pki", join(dir.path, "gw-a")]);
    expect(listed.out).toMatch(new RegExp(`rejected \\(1\\):\\n  ${tp}`));

    const trusted = await cli(["trust", tp!.slice(0, 12), "--pki", join(dir.path, "gw-a")]);
    expect(trusted).toMatchObject({ code: 0, err: "" });
    expect(trusted.out).toContain(`trusted ${tp}`);

    await waitFor("connected after trust", () => h.last("execution"));
    expect(h.last("availability")?.value).toBe("AVAILABLE");
    const running = await waitFor("subscription log line", () =>
      h.logs.find((l) => l.msg === "OPC UA subscription running"),
    );
    expect(running).toMatchObject({ security: "SignAndEncrypt/Basic256Sha256", serverMachine: "lathe-1" });
  });

  it("a wrong password is a clear error naming the user, without the password", async () => {
    expect((await cli(["trust", sim.certificateFile, "--pki", join(dir.path, "gw-b")])).code).toBe(0);
    const h = await adapter("gw-b", { username: "operator", password: "wrong-password" });
    const err = await waitFor("login error", () => h.adapter.lastError);
    expect(err).toBe(
      'the server refused the login of user "operator" (BadUserAccessDenied); check monitor.username and monitor.password',
    );
    expect(JSON.stringify(h.logs)).not.toContain("wrong-password");
    await h.stop();

    const anon = await adapter("gw-b", {});
    expect(await waitFor("anonymous refused", () => anon.adapter.lastError)).toBe(
      "the server does not allow anonymous login (it accepts: UserName, Certificate); set monitor.username and monitor.password",
    );
    await anon.stop();
  });

  it("the trust command explains what it cannot do", async () => {
    const pki = join(dir.path, "gw-c");
    expect(await cli(["trust", "deadbeefdeadbeef", "--pki", pki])).toMatchObject({
      code: 1,
      err: expect.stringMatching(
        /no rejected certificate has thumbprint deadbeefdeadbeef .*none rejected yet/,
      ),
    });
    expect(await cli(["trust", "not-a-thumbprint", "--pki", pki])).toMatchObject({
      code: 1,
      err: expect.stringContaining(
        '"not-a-thumbprint" is neither an existing file nor a certificate thumbprint',
      ),
    });
    expect(
      await cli(["trust", join(dir.path, "sim-pki", "own", "private", "private_key.pem"), "--pki", pki]),
    ).toMatchObject({
      code: 1,
      err: expect.stringContaining("is not a certificate file"),
    });
    expect((await cli(["frobnicate"])).code).toBe(2);
  });
});
