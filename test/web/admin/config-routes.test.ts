import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSiteConfig } from "../../../src/gateway/site-config.ts";
import { createWebApp, type WebApp } from "../../../src/web/app.ts";
import { NamedFakeAuthenticator, PASSWORD } from "../support/fake-authenticator.ts";
import { FakeFleet } from "../support/fake-fleet.ts";

// GET /api/admin/config and POST /api/admin/config/check over a real config
// file read by the real check-config loader: secrets masked, admin only, and
// "check again" reports what is on disk now, with lines.

const VALID = `site: raufoss
gateway: { id: gw-1 }
mqtt:
  url: mqtt://gw:broker-pass@broker.local:1883
timeseries:
  influx:
    url: http://influx.local:8086
    token: \${INFLUX_TOKEN}
    database: machines
machines:
  - id: lathe-1
    name: Mazak QT 200
    kind: lathe
    monitor: { type: shdr, host: 127.0.0.1, port: 7878 }
`;

const ENV = { INFLUX_TOKEN: "influx-token-from-env-0123" };

let dir: string | undefined;
let app: WebApp | undefined;
afterEach(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function setUp() {
  dir = mkdtempSync(join(tmpdir(), "maskinport-admin-config-"));
  const file = join(dir, "site.yaml");
  writeFileSync(file, VALID);
  const load = (f: string) => loadSiteConfig(f, ENV);
  const config = await load(file);
  app = createWebApp({
    ...new FakeFleet().deps(),
    auth: { authenticator: new NamedFakeAuthenticator() },
    siteConfig: { config, file, loadedAt: 1_700_000_000_000, load },
  });
  const web = app;
  const login = async (username: string) => {
    const r = await web.inject({
      method: "POST",
      url: "/api/login",
      payload: { username, password: PASSWORD },
    });
    return { cookie: String(r.headers["set-cookie"]).split(";")[0]!, csrf: r.json().csrfToken as string };
  };
  return { app: web, file, login };
}

describe("GET /api/admin/config", () => {
  it("shows an admin the loaded config with every secret masked, the file, and the start-up check", async () => {
    const { app, file, login } = await setUp();
    const root = await login("root");
    const res = await app.inject({ url: "/api/admin/config", headers: { cookie: root.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).not.toContain("broker-pass");
    expect(res.body).not.toContain("influx-token-from-env");
    const body = res.json();
    expect(body.file).toBe(file);
    expect(body.loadedAt).toBe(1_700_000_000_000);
    expect(body.canCheck).toBe(true);
    expect(body.check).toEqual({ file, ok: true, checkedAt: 1_700_000_000_000, problems: [] });
    expect(body.config.mqtt.url).toBe("mqtt://***@broker.local:1883");
    expect(body.config.timeseries.influx.token).toBe("***");
    expect(body.config.machines[0].monitor.port).toBe(7878);
  });

  it("is for admins only: 401 without a session, 403 for instructors and trainees", async () => {
    const { app, login } = await setUp();
    expect((await app.inject({ url: "/api/admin/config" })).statusCode).toBe(401);
    for (const who of ["kari", "ola"]) {
      const caller = await login(who);
      const res = await app.inject({ url: "/api/admin/config", headers: { cookie: caller.cookie } });
      expect(res.statusCode, who).toBe(403);
      expect(res.body).not.toContain("broker.local");
    }
  });

  it("answers 501 on a gateway started without a config file", async () => {
    app = createWebApp({ ...new FakeFleet().deps(), auth: { authenticator: new NamedFakeAuthenticator() } });
    const r = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "root", password: PASSWORD },
    });
    const cookie = String(r.headers["set-cookie"]).split(";")[0]!;
    const res = await app.inject({ url: "/api/admin/config", headers: { cookie } });
    expect(res.statusCode).toBe(501);
    expect(res.json().error).toBe("no_config_file");
  });
});

describe("POST /api/admin/config/check", () => {
  it("checks the file on disk now: ok while valid, then every problem with its line after a bad edit", async () => {
    const { app, file, login } = await setUp();
    const root = await login("root");
    const check = () =>
      app.inject({
        method: "POST",
        url: "/api/admin/config/check",
        headers: { cookie: root.cookie, "x-csrf-token": root.csrf },
        payload: {},
      });
    const first = await check();
    expect(first.statusCode).toBe(200);
    expect(first.json().check).toMatchObject({ ok: true, problems: [] });

    writeFileSync(file, VALID.replace("port: 7878", 'port: "78x8"').replace("kind: lathe", "kind: lathee"));
    const second = (await check()).json().check;
    expect(second.ok).toBe(false);
    expect(second.problems).toEqual([
      expect.objectContaining({ line: 13, path: "machines[0].kind" }),
      expect.objectContaining({ line: 14, path: "machines[0].monitor.port" }),
    ]);
    expect(JSON.stringify(second)).not.toContain("broker-pass");
    // The latest result is what the page shows next time.
    const page = await app.inject({ url: "/api/admin/config", headers: { cookie: root.cookie } });
    expect(page.json().check.ok).toBe(false);
  });

  it("refuses instructors, trainees and writes without the CSRF token", async () => {
    const { app, login } = await setUp();
    const root = await login("root");
    const noToken = await app.inject({
      method: "POST",
      url: "/api/admin/config/check",
      headers: { cookie: root.cookie },
      payload: {},
    });
    expect(noToken.json().error).toBe("csrf_token_missing");
    for (const who of ["kari", "ola"]) {
      const caller = await login(who);
      const res = await app.inject({
        method: "POST",
        url: "/api/admin/config/check",
        headers: { cookie: caller.cookie, "x-csrf-token": caller.csrf },
        payload: {},
      });
      expect(res.statusCode, who).toBe(403);
    }
  });
});
