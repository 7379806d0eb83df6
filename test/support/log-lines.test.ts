import { describe, expect, it } from "vitest";
import { captureLog, repeatedKeys, topLevelKeys } from "./log-lines.ts";

describe("log line checks", () => {
  it("finds a key bound twice, and only at the top level", () => {
    expect(repeatedKeys('{"a":1,"adapter":"x","adapter":"x"}')).toEqual(["adapter"]);
    expect(repeatedKeys('{"a":{"b":1},"c":{"b":2},"s":"\\"b\\":"}')).toEqual([]);
    expect(topLevelKeys('{"k\\"q":[{"x":1}],"m":"a:b"}')).toEqual(['k"q', "m"]);
  });

  it("rejects a line that is not one JSON object", () => {
    expect(() => topLevelKeys("[1,2]")).toThrow(/not a JSON object/);
    expect(() => topLevelKeys("{")).toThrow();
  });

  it("captures a child-of-child logger's repeat", async () => {
    const { log, lines } = captureLog();
    log.child({ adapter: "a" }).child({ adapter: "a" }).info("x");
    await new Promise((r) => setImmediate(r));
    expect(repeatedKeys(lines[0] ?? "{}")).toEqual(["adapter"]);
  });
});
