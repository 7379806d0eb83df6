import { afterEach, describe, expect, it } from "vitest";
import { createWebApp } from "../../src/web/app.ts";
import { FakeAuthenticator, PASSWORD } from "./support/fake-authenticator.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import { http } from "./support/http.ts";
import { type ServedApp, serve } from "./support/serve.ts";
import { SseClient } from "./support/sse-client.ts";

// web.liveRequiresLogin: off, the wall screen needs no login (the other
// files test that); on, the live data needs a session, over a real socket.

let served: ServedApp | undefined;
const clients: SseClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await served?.close();
  served = undefined;
});

const LIVE_DATA = [
  "/events",
  "/api/machines",
  "/api/machines/lathe-1",
  "/api/machines/lathe-1/history?signal=spindle.speed",
];

async function start() {
  const fleet = new FakeFleet();
  served = await serve(
    fleet.deps({ auth: { authenticator: new FakeAuthenticator(), liveRequiresLogin: true } }),
  );
  return { fleet, base: served.baseUrl };
}

async function loginCookie(base: string): Promise<string> {
  const res = await fetch(`${base}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "ola", password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie()[0]!.split(";")[0]!;
}

describe("web.liveRequiresLogin: true", () => {
  it("answers the live data with 401 JSON without a session, and never opens a stream", async () => {
    const { base, fleet } = await start();
    for (const path of LIVE_DATA) {
      const res = await http(base, path);
      expect(res.status, path).toBe(401);
      expect(JSON.parse(res.body).error, path).toBe("unauthenticated");
    }
    expect(served!.app.liveClientCount()).toBe(0);
    expect(fleet.listeners.size).toBe(0);
    expect(fleet.historyQueries).toEqual([]);
  });

  it("still serves the page shell, its assets and the ops endpoints to anyone", async () => {
    const { base } = await start();
    for (const path of ["/", "/assets/live.js", "/healthz", "/metrics"]) {
      expect((await http(base, path)).status, path).toBe(200);
    }
  });

  it("serves the live data and the stream to a logged-in browser", async () => {
    const { base } = await start();
    const cookie = await loginCookie(base);
    for (const path of LIVE_DATA.slice(1)) {
      expect((await http(base, path, { headers: { cookie } })).status, path).toBe(200);
    }
    const client = await SseClient.connect(`${base}/events`, { headers: { cookie } });
    clients.push(client);
    expect(client.status).toBe(200);
    expect((await client.next(() => true)).event).toBe("snapshot");
    expect(served!.app.liveClientCount()).toBe(1);
  });

  it("refuses to start without a user store, since nobody could log in to see the live view", () => {
    const fleet = new FakeFleet();
    expect(() => createWebApp(fleet.deps({ auth: { liveRequiresLogin: true } }))).toThrow(
      /liveRequiresLogin is true, but this gateway has no user store.*set web.liveRequiresLogin: false/,
    );
  });
});
