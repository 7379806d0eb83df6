// One host must not lock everyone out of the live page (issue 13, item 4):
// streams per client address, the proxy header only from trusted proxies.
// (Who may stream at all is web.liveRequiresLogin: live-access.test.ts.)
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import type { WebDeps, WebTuning } from "../../src/web/app.ts";
import { clientLimitsFrom } from "../../src/web/client-address.ts";
import { waitFor } from "../support/ports.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import { http } from "./support/http.ts";
import { type ServedApp, serve } from "./support/serve.ts";
import { SseClient } from "./support/sse-client.ts";

let served: ServedApp | undefined;
const clients: SseClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await served?.close();
  served = undefined;
});

async function start(tuning: Partial<WebTuning> = {}, extra: Partial<WebDeps> = {}) {
  const fleet = new FakeFleet();
  served = await serve({ ...fleet.deps(), ...extra }, tuning);
  return { app: served.app, url: `${served.baseUrl}/events` };
}

async function open(url: string, opts: Parameters<typeof SseClient.connect>[1] = {}): Promise<SseClient> {
  const client = await SseClient.connect(url, opts);
  clients.push(client);
  return client;
}

const until = (condition: () => boolean, what: string) => waitFor(what, () => condition() || undefined, 3000);

describe("GET /events: streams per client address", () => {
  it("200 streams from one host get 8 slots; the rest get 429 and another host still gets in", async () => {
    const { app, url } = await start();
    const attempts = await Promise.all(Array.from({ length: 200 }, () => open(url)));
    const statuses = attempts.map((c) => c.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(8);
    expect(statuses.filter((s) => s === 429)).toHaveLength(192);
    expect(app.liveClientCount()).toBe(8);

    const refused = await http(served!.baseUrl, "/events");
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBe("10");
    expect(JSON.parse(refused.body)).toMatchObject({
      error: "too_many_streams",
      limit: 8,
      message: expect.stringMatching(/127\.0\.0\.1 already has 8 live views open.*web\.maxStreamsPerClient/),
    });

    // 127.0.0.2 is loopback too, but another address: another computer as far as the server can tell.
    const other = await open(url, { localAddress: "127.0.0.2" });
    expect(other.status).toBe(200);
    expect((await other.next((m) => m.event === "snapshot")).event).toBe("snapshot");

    // A closed stream gives its slot back.
    attempts.find((c) => c.status === 200)!.close();
    await until(() => app.liveClientCount() === 8, "the closed stream to leave");
    expect((await open(url)).status).toBe(200);
  });

  it("takes the limit from tuning (web.maxStreamsPerClient in the config)", async () => {
    const { url } = await start(clientLimitsFrom({ maxStreamsPerClient: 2 }));
    expect((await open(url)).status).toBe(200);
    expect((await open(url)).status).toBe(200);
    expect((await open(url)).status).toBe(429);
  });

  it("the overall limit still answers 503 when no single host is at its share", async () => {
    const { url } = await start({ maxLiveClients: 2, maxLiveClientsPerAddress: 8 });
    await open(url);
    await open(url, { localAddress: "127.0.0.2" });
    const third = await open(url, { localAddress: "127.0.0.3" });
    expect(third.status).toBe(503);
  });
});

describe("GET /events behind a reverse proxy", () => {
  it("counts X-Forwarded-For clients apart only when the proxy is trusted", async () => {
    const { url } = await start({ maxLiveClientsPerAddress: 1 }, { trustProxy: ["127.0.0.1"] });
    const a = await open(url, { headers: { "X-Forwarded-For": "10.0.0.5" } });
    const b = await open(url, { headers: { "X-Forwarded-For": "10.0.0.6" } });
    const a2 = await open(url, { headers: { "X-Forwarded-For": "10.0.0.5" } });
    // What a client writes itself sits left of what the proxy appended; only the right-most counts.
    const spoof = await open(url, { headers: { "X-Forwarded-For": "1.2.3.4, 10.0.0.6" } });
    expect([a.status, b.status, a2.status, spoof.status]).toEqual([200, 200, 429, 429]);
    // From an address that is not a trusted proxy the header is ignored.
    const direct = await open(url, { localAddress: "127.0.0.2", headers: { "X-Forwarded-For": "10.0.0.9" } });
    const direct2 = await open(url, {
      localAddress: "127.0.0.2",
      headers: { "X-Forwarded-For": "10.0.0.10" },
    });
    expect([direct.status, direct2.status]).toEqual([200, 429]);
  });
});

describe("web: config keys for client limits", () => {
  const yaml = (web: string) => `site: raufoss
gateway: { id: gw-1 }
mqtt: { embedded: { port: 1883 } }
web: ${web}
machines:
  - { id: lathe-1, name: Lathe, kind: lathe }
`;
  it("reads maxStreamsPerClient and trustedProxies, and names bad values", () => {
    const c = parseConfig(yaml("{ maxStreamsPerClient: 4, trustedProxies: [127.0.0.1, '::1'] }"), "t", {});
    expect(clientLimitsFrom(c.web)).toEqual({ maxLiveClientsPerAddress: 4 });
    expect(c.web.trustedProxies).toEqual(["127.0.0.1", "::1"]);
    expect(clientLimitsFrom(parseConfig(yaml("{ port: 8080 }"), "t", {}).web)).toEqual({});
    expect(() =>
      parseConfig(yaml("{ maxStreamsPerClient: 0, trustedProxies: [nginx.lan] }"), "t", {}),
    ).toThrow(
      /web\.maxStreamsPerClient: .*\n.*web\.trustedProxies\[0\]: expected an IP address like 127\.0\.0\.1/,
    );
  });
});
