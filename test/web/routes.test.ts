import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/web/metrics.ts";
import { FALLBACK_SECURITY_HEADERS } from "../../src/web/security-headers.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import { getJson, http } from "./support/http.ts";
import { type ServedApp, serve } from "./support/serve.ts";

// The HTTP API and page routes over a real socket: status codes, headers,
// error shapes. The live stream has its own file (live-events.test.ts).

let served: ServedApp | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(fleet = new FakeFleet(), overrides: Parameters<FakeFleet["deps"]>[0] = {}) {
  served = await serve(fleet.deps(overrides));
  return { fleet, base: served.baseUrl };
}

describe("page and assets", () => {
  it("serves the live page with security headers and the embedded config", async () => {
    const { base } = await start();
    const res = await http(base, "/");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(res.headers["content-security-policy"]).not.toContain("unsafe-inline");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.body).toContain('<html lang="nb">');
    expect(res.body).toContain("Maskinoversikt");
    expect(res.body).not.toMatch(/\{\{[^}]*\}\}/); // every placeholder filled
    const config = JSON.parse(
      /<script type="application\/json" id="maskinport-config">(.*?)<\/script>/s.exec(res.body)![1]!,
    );
    expect(config).toMatchObject({ timeZone: "Europe/Oslo", history: true, defaultLanguage: "nb" });
    expect(config.i18n.en["state.running"]).toBe("Running");
  });

  it("loads nothing from other origins", async () => {
    const { base } = await start();
    const page = (await http(base, "/")).body;
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const sheet of ["live.css", "card.css"]) {
      const css = await http(base, `/assets/${sheet}`);
      expect(css.status).toBe(200);
      expect(css.body).not.toMatch(/url\(|@import/);
    }
  });

  it("answers a matching ETag with 304", async () => {
    const { base } = await start();
    const first = await http(base, "/assets/live.js");
    expect(first.status).toBe(200);
    expect(first.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    const again = await http(base, "/assets/live.js", {
      headers: { "If-None-Match": String(first.headers.etag) },
    });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
  });

  it("serves only listed assets, whatever the path tries", async () => {
    const { base } = await start();
    for (const path of ["/assets/app.ts", "/assets/..%2Fapp.ts", "/assets/../app.ts", "/assets/live.html"]) {
      const res = await http(base, path);
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.body).error).toBe("not_found");
    }
  });
});

describe("machines API", () => {
  it("lists configured machines in order, each with its snapshot", async () => {
    const { base, fleet } = await start();
    const { status, json } = await getJson(base, "/api/machines");
    expect(status).toBe(200);
    const machines = json.machines as { id: string; name: string; snapshot: { state: string } | null }[];
    expect(machines.map((m) => m.id)).toEqual(fleet.machines.map((m) => m.id));
    expect(machines[0]).toMatchObject({ id: "lathe-1", name: "Mazak QT 200", kind: "lathe" });
    expect(machines[0]!.snapshot?.state).toBe("running");
    expect(typeof json.serverTime).toBe("number");
  });

  it("gives a machine with no data yet a null snapshot", async () => {
    const fleet = new FakeFleet();
    fleet.snapshots.delete("mill-2");
    const { base } = await start(fleet);
    const { json } = await getJson(base, "/api/machines/mill-2");
    expect(json).toMatchObject({ id: "mill-2", snapshot: null });
  });

  it("answers an unknown machine with 404 and how to find the ids", async () => {
    const { base } = await start();
    for (const path of ["/api/machines/nope", "/api/machines/nope/history?signal=spindle.speed"]) {
      const { status, json } = await getJson(base, path);
      expect(status, path).toBe(404);
      expect(json.error).toBe("unknown_machine");
      expect(json.message).toContain("GET /api/machines");
    }
  });

  it("rejects broken percent-encoding in a path with 400", async () => {
    const { base } = await start();
    const { status, json } = await getJson(base, "/api/machines/%E0%A4%A");
    expect(status).toBe(400);
    expect(json.error).toBe("bad_path");
  });
});

describe("history API", () => {
  it("queries the store with the validated range", async () => {
    const { base, fleet } = await start();
    const path =
      "/api/machines/lathe-1/history?signal=spindle.speed&from=1700000000000&to=2023-11-14T22:23:20Z&points=10";
    const { status, json } = await getJson(base, path);
    expect(status).toBe(200);
    expect(fleet.historyQueries).toEqual([
      {
        machine: "lathe-1",
        signal: "spindle.speed",
        from: 1_700_000_000_000,
        to: 1_700_000_600_000,
        maxPoints: 10,
      },
    ]);
    expect(json).toMatchObject({ machine: "lathe-1", signal: "spindle.speed", maxPoints: 10 });
    expect(json.points).toHaveLength(10);
  });

  it("defaults to the last ten minutes and 120 points", async () => {
    const { base, fleet } = await start();
    const before = Date.now();
    await getJson(base, "/api/machines/lathe-1/history?signal=spindle.load");
    const q = fleet.historyQueries[0]!;
    expect(q.to).toBeGreaterThanOrEqual(before);
    expect(q.to - q.from).toBe(600_000);
    expect(q.maxPoints).toBe(120);
  });

  it.each([
    ["", "signal", "signal: required"],
    ["?signal=spindle.sped", "signal", 'did you mean "spindle.speed"'],
    ["?signal=spindle.speed&points=abc", "points", 'points: expected an integer 2–2000, got "abc"'],
    ["?signal=spindle.speed&points=5000", "points", "points: expected an integer 2–2000"],
    ["?signal=spindle.speed&from=yesterday", "from", "ISO-8601"],
    ["?signal=spindle.speed&to=2025-01-01T10:00", "to", "with zone"],
    ["?signal=spindle.speed&from=2000&to=1000", "from", "from: must be earlier than to"],
    ["?signal=spindle.speed&pionts=10", "pionts", 'did you mean "points"'],
    ["?signal=spindle.speed&signal=part.count", "signal", "given more than once"],
  ])("rejects %j with 400 naming %s", async (query, parameter, message) => {
    const { base, fleet } = await start();
    const { status, json } = await getJson(base, `/api/machines/lathe-1/history${query}`);
    expect(status).toBe(400);
    expect(json.error).toBe("bad_query");
    expect(json.parameter).toBe(parameter);
    expect(json.message).toContain(message);
    expect(fleet.historyQueries).toEqual([]);
  });

  it("says 501 when the gateway keeps no history", async () => {
    const { base } = await start(new FakeFleet(), { history: undefined });
    const { status, json } = await getJson(base, "/api/machines/lathe-1/history?signal=spindle.speed");
    expect(status).toBe(501);
    expect(json.error).toBe("history_unavailable");
  });

  it("turns a failing store into a 500 without leaking the error, and logs it", async () => {
    const lines: string[] = [];
    const log = pino(
      { level: "error" },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const history = {
      range: () => {
        throw new Error("SQLITE_CORRUPT: secret /var/lib/maskinport/ts.db");
      },
    };
    const { base } = await start(new FakeFleet(), { history, log });
    const res = await http(base, "/api/machines/lathe-1/history?signal=spindle.speed");
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({
      error: "internal_error",
      message: "the gateway could not answer this request; the gateway log has details",
    });
    expect(res.body).not.toContain("SQLITE");
    expect(res.body).not.toContain("at ");
    expect(lines.join("")).toContain("SQLITE_CORRUPT");
  });
});

describe("health and metrics", () => {
  it.each([
    ["ok", 200],
    ["degraded", 200],
    ["down", 503],
  ] as const)("/healthz %s → %i with the report", async (status, code) => {
    const fleet = new FakeFleet();
    fleet.health = { status, checks: { mqtt: { ok: status === "ok", detail: "broker 127.0.0.1:1883" } } };
    const { base } = await start(fleet);
    const res = await getJson(base, "/healthz");
    expect(res.status).toBe(code);
    expect(res.json).toEqual(fleet.health);
  });

  it("answers HEAD /healthz without a body", async () => {
    const { base } = await start();
    const res = await http(base, "/healthz", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    expect(Number(res.headers["content-length"])).toBeGreaterThan(0);
  });

  it("serves the registry as Prometheus text, including the web layer's own metrics", async () => {
    const metrics = createMetrics();
    metrics.observations.inc({ adapter: "shdr:lathe-1", protocol: "shdr" }, 42);
    const { base } = await start(new FakeFleet(), { metrics: metrics.registry });
    await http(base, "/api/machines");
    const res = await http(base, "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe(metrics.registry.contentType);
    expect(res.body).toContain('maskinport_observations_total{adapter="shdr:lathe-1",protocol="shdr"} 42');
    expect(res.body).toContain("# TYPE maskinport_sink_queue_depth gauge");
    expect(res.body).toContain("maskinport_web_live_clients 0");
    expect(res.body).toContain('maskinport_http_requests_total{route="/api/machines",status="200"} 1');
    expect(res.body).toContain("process_cpu_seconds_total");
  });
});

describe("method and route errors", () => {
  it("answers a wrong method with 405 and Allow", async () => {
    const { base } = await start();
    for (const [method, path] of [
      ["POST", "/"],
      ["DELETE", "/api/machines"],
      ["PUT", "/metrics"],
    ]) {
      const res = await http(base, path!, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.allow).toBe("GET, HEAD");
      expect(JSON.parse(res.body).error).toBe("method_not_allowed");
    }
  });

  it("answers unknown routes with 404 JSON and the security headers", async () => {
    const { base } = await start();
    const res = await http(base, "/wp-admin/setup.php?x=<script>");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(JSON.parse(res.body).error).toBe("not_found");
  });

  it("sends the same security headers on every kind of answer, helmet's and the fallback alike", async () => {
    const { base } = await start();
    const reference = await http(base, "/");
    const names = Object.keys(FALLBACK_SECURITY_HEADERS).map((n) => n.toLowerCase());
    for (const name of names) expect(reference.headers[name], name).toBeDefined();
    expect(reference.headers["x-frame-options"]).toBe("DENY");
    expect(reference.headers["strict-transport-security"]).toBeUndefined();
    expect(reference.headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    const answers = [
      ["GET", "/api/machines/%E0%A4%A", 400], // rejected by fastify before any hook: the fallback headers
      ["GET", "/nowhere", 404],
      ["POST", "/healthz", 405],
      ["GET", "/api/me", 401],
      ["HEAD", "/events", 200],
    ] as const;
    for (const [method, path, status] of answers) {
      const res = await http(base, path, { method });
      expect(res.status, path).toBe(status);
      for (const name of names)
        expect(res.headers[name], `${name} on ${method} ${path}`).toBe(reference.headers[name]);
    }
  });

  it("refuses an invalid time zone at start-up, naming it", async () => {
    const fleet = new FakeFleet();
    await expect(serve(fleet.deps({ timeZone: "Europe/Raufoss" }))).rejects.toThrow(
      /timeZone "Europe\/Raufoss" is not an IANA time zone/,
    );
  });
});

describe("over-long path parts", () => {
  // Found by test/fuzz/web.fuzz.test.ts: a path segment over fastify's parameter limit was a 500.
  it("answers 414 with the security headers, not 500", async () => {
    const { base } = await start();
    for (const path of [
      `/assets/${"x".repeat(300)}`,
      `/api/machines/${"m".repeat(101)}/history?signal=spindle.speed`,
    ]) {
      const res = await http(base, path);
      expect(res.status, path).toBe(414);
      expect(JSON.parse(res.body).error).toBe("path_too_long");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    }
    // At the limit the route still matches: an unknown asset of 100 characters is a plain 404.
    expect((await http(base, `/assets/${"x".repeat(100)}`)).status).toBe(404);
  });
});
