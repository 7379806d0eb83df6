import { describe, expect, it } from "vitest";
import { classifyLrsStatus, redactLrsUrl, statementsUrl } from "../../src/sinks/xapi/lrs-client.ts";

describe("LRS client: endpoint and answers", () => {
  it("resolves statements against the endpoint with or without a trailing slash", () => {
    expect(statementsUrl("https://lrs.example/xapi").toString()).toBe("https://lrs.example/xapi/statements");
    expect(statementsUrl("https://lrs.example/xapi/").toString()).toBe("https://lrs.example/xapi/statements");
  });

  it.each([
    ["not a url", /invalid evidence\.xapi\.endpoint .*expected https:\/\/lrs\.example\/xapi\//],
    ["ftp://lrs.example/xapi", /unsupported scheme "ftp:"/],
    ["https://key:secret@lrs.example/xapi", /credentials belong in evidence\.xapi\.username \/ password/],
  ])("refuses endpoint %s with the key to fix", (endpoint, message) => {
    expect(() => statementsUrl(endpoint)).toThrow(message);
    try {
      statementsUrl(endpoint);
    } catch (err) {
      expect((err as Error).message).not.toContain("secret");
    }
  });

  it("redacts credentials and query from logged URLs", () => {
    expect(redactLrsUrl("https://k:s@lrs.example/xapi/statements?statementId=x")).toBe(
      "https://lrs.example/xapi/statements",
    );
  });

  it.each([
    [200, "stored"],
    [204, "stored"],
    [409, "conflict"],
    [400, "bad-statements"],
    [413, "too-large"],
    [401, "auth"],
    [403, "auth"],
    [429, "transient"],
    [500, "transient"],
    [503, "transient"],
  ])("status %i means %s", (status, kind) => {
    expect(classifyLrsStatus(status, "x").kind).toBe(kind);
  });
});
