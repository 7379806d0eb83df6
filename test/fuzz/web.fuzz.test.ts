import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHistoryQuery } from "../../src/web/history-query.ts";
import { FakeFleet } from "../web/support/fake-fleet.ts";
import { http } from "../web/support/http.ts";
import { type ServedApp, serve } from "../web/support/serve.ts";
import { CASE_BUDGET_MS, expectBoundedOutput, fuzzParameters, hostileText, withinBudget } from "./support.ts";

// The web app reads paths and query strings from anyone who can reach its
// port. Query parsing must be total and bounded; every handler must answer
// (never 500) in budget, whatever the path and query.

const NAMES = [
  "signal",
  "from",
  "to",
  "points",
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "",
  "x",
];
const VALUES = [
  "spindle.speed",
  "raw.X",
  "1735689600000",
  "2025-01-01T08:00:00Z",
  "2",
  "2000",
  "-1",
  "1e3",
  "NaN",
  "",
  "%",
  "%ZZ",
  "é",
  " ",
];

const queryString = fc.oneof(
  fc
    .array(
      fc.tuple(fc.constantFrom(...NAMES), fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 80 }))),
      { maxLength: 12 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")),
  hostileText(
    ["=", "&", "%", "%2", "%26", "signal", "+", "?", "#", "__proto__", "a"],
    ["&a=", "%2", "__proto__=1&", "="],
    5000,
  ),
);

describe("fuzz: history query parsing", () => {
  it("answers a query or named issues for any query string, within budget, messages bounded", () => {
    fc.assert(
      fc.property(queryString, (q) => {
        const result = withinBudget("parseHistoryQuery", () =>
          parseHistoryQuery(new URLSearchParams(q), 1_700_000_000_000),
        );
        if (result.ok) {
          expect(result.query.from).toBeLessThan(result.query.to);
          return;
        }
        for (const issue of result.issues) expect(issue.message.length).toBeLessThan(400);
        expectBoundedOutput("issues", q.length + 1, result.issues.length, 1);
      }),
      fuzzParameters(2),
    );
  });
});

/** What a client puts on the wire for characters outside printable ASCII (node:http refuses them raw). */
function percentEncodeOdd(path: string): string {
  return path.replace(/[^\x21-\x7e]/gu, (c) =>
    [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}

describe("fuzz: the web app over HTTP", () => {
  let served: ServedApp;
  const fleet = new FakeFleet();
  beforeAll(async () => {
    served = await serve(fleet.deps());
  });
  afterAll(async () => {
    served.app.close();
    await served.close();
  });

  const SEGMENTS = [
    "api",
    "machines",
    "lathe-1",
    "mill-2",
    "history",
    "assets",
    "app.js",
    "healthz",
    "metrics",
    "%",
    "%2F",
    "..",
    "%00",
    "é",
    "",
    "x".repeat(300),
  ];
  const path = fc
    .tuple(
      fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 6 }),
      fc.option(queryString, { nil: undefined }),
    )
    .map(([segments, q]) => percentEncodeOdd(`/${segments.join("/")}${q === undefined ? "" : `?${q}`}`))
    // node:http refuses request heads over 16 KiB itself (the connection is reset): long queries
    // are fuzzed on the parser above.
    .map((p) => p.slice(0, 8000))
    // /events is a live stream that does not end: its own tests cover it.
    .filter((p) => !p.startsWith("/events"));

  it("every path and query gets an answer that is not a 500, in budget", async () => {
    await fc.assert(
      fc.asyncProperty(path, fc.constantFrom("GET", "HEAD", "POST"), async (p, method) => {
        // Wall time here (a request crosses the loop several times); up to three tries, as withinBudget.
        let res = await http(served.baseUrl, p, { method });
        let ms = Number.POSITIVE_INFINITY;
        for (let attempt = 0; attempt < 3 && ms >= CASE_BUDGET_MS; attempt++) {
          const start = performance.now();
          res = await http(served.baseUrl, p, { method });
          ms = performance.now() - start;
        }
        expect(res.status, `${method} ${p.slice(0, 200)}`).toBeLessThan(500);
        expect(ms, `${method} ${p.slice(0, 200)} took ${ms.toFixed(1)} ms`).toBeLessThan(CASE_BUDGET_MS);
        expectBoundedOutput("response bytes", p.length + 100_000, res.body.length, 1);
      }),
      fuzzParameters(0.5),
    );
  });
});
