import { describe, expect, it } from "vitest";
import { countIncrease } from "../../src/core/count-increase.ts";

describe("countIncrease", () => {
  it("gives what is new per key, and all of a restarted component's count", () => {
    const increase = countIncrease();
    expect(increase("a", 5)).toBe(5);
    expect(increase("a", 5)).toBe(0);
    expect(increase("b", 2)).toBe(2);
    expect(increase("a", 9)).toBe(4);
    // Lower than last time: the component counts from zero again, so 3 are new.
    expect(increase("a", 3)).toBe(3);
    expect(increase("a", 4)).toBe(1);
  });
});
