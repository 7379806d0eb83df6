import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_ISSUES, parseBody } from "../../src/web/request-body.ts";
import { HttpError } from "../../src/web/responses.ts";

// parseBody's 400: every problem named by its field, and bounded by the body's
// size whatever the body holds. The bounds came from
// test/fuzz/web-bodies.fuzz.test.ts: 13 KB of unknown keys in a login body
// came back as 112 KB (one issue per key, each listing the expected fields,
// and all of them again in the message).

const SCHEMA = z.object({ username: z.string(), password: z.string() }).strict();

function refusal(body: unknown): HttpError {
  try {
    parseBody(SCHEMA, body);
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error("expected a 400");
}

describe("parseBody", () => {
  it("names each problem with its field", () => {
    const err = refusal({ username: 1, pasword: "x" });
    expect(err.statusCode).toBe(400);
    expect(err.body.issues).toEqual([
      { field: "username", message: "expected string, got number" },
      { field: "password", message: "required" },
      { field: "pasword", message: 'unknown field; did you mean "password"?' },
    ]);
  });

  it("answers many unknown keys with at most MAX_ISSUES issues and a count of the rest", () => {
    const body = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 1]));
    const text = JSON.stringify({ username: "a", password: "b", ...body });
    const err = refusal(JSON.parse(text));
    const issues = err.body.issues as { field: string; message: string }[];
    expect(issues).toHaveLength(MAX_ISSUES + 1);
    expect(issues.at(-1)).toEqual({
      field: "body",
      message: `and ${1000 - MAX_ISSUES} more problems like these`,
    });
    expect(JSON.stringify(err.body).length).toBeLessThan(text.length);
  });

  it("quotes a long unknown key only in part, and names the empty key", () => {
    const long = "k".repeat(20_000);
    const err = refusal({ username: "a", password: "b", [long]: 1, "": 2 });
    const fields = (err.body.issues as { field: string }[]).map((i) => i.field);
    expect(fields).toEqual([`${"k".repeat(60)}…`, '""']);
    expect(err.message.length).toBeLessThan(400);
  });
});
