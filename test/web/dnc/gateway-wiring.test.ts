import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.ts";
import { Gateway } from "../../../src/gateway/gateway.ts";
import { freePorts } from "../../support/ports.ts";

// The Gateway, built from a config as `maskinport run` builds it, serves the
// upload page and the DNC routes over its own DNC lines (one machine with a
// line to a simulated control, one without), with web.maxProgramBytes read
// from the config.

describe("gateway wiring of the DNC web routes", () => {
  let gateway: Gateway;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), "mp-dncweb-"));

  beforeAll(async () => {
    const [web, broker, dnc] = await freePorts(3);
    const config = parseConfig(
      `site: test
gateway: { id: gw-dncweb }
mqtt:
  embedded: { port: ${broker}, host: 127.0.0.1 }
timeseries:
  embedded: { path: ${join(dir, "ts.db")} }
library: { path: ${join(dir, "library.db")} }
web: { port: ${web}, host: 127.0.0.1, maxProgramBytes: 2048 }
machines:
  - { id: lathe-4, name: Old Fanuc lathe, kind: lathe, dnc: { transport: tcp, host: 127.0.0.1, port: ${dnc}, profile: fanuc } }
simulators:
  - { type: dnc, transport: tcp, port: ${dnc}, profile: fanuc }
`,
      "dncweb-test.yaml",
      {},
    );
    gateway = new Gateway({ config, log: pino({ level: "silent" }), version: "test" });
    const { webPort } = await gateway.start();
    base = `http://127.0.0.1:${webPort}`;
  });

  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the upload page with its assets and the configured program limit", async () => {
    const page = await fetch(`${base}/dnc`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('"maxProgramBytes":2048');
    for (const asset of ["dnc-page.js", "dnc-api.js", "dnc-format.js", "dnc.css"]) {
      expect((await fetch(`${base}/assets/${asset}`)).status, asset).toBe(200);
    }
  });

  it("guards the DNC routes: no session, 401", async () => {
    const res = await fetch(`${base}/api/dnc/machines`);
    expect(res.status).toBe(401);
  });
});
