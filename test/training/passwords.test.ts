import { describe, expect, it } from "vitest";
import { LoginThrottle } from "../../src/training/people/login-throttle.ts";
import {
  DEFAULT_SCRYPT,
  generatePassword,
  hashPassword,
  needsRehash,
  passwordProblem,
  verifyPassword,
} from "../../src/training/people/passwords.ts";

describe("passwords (scrypt)", () => {
  it("hashes with N=2^15, r=8, p=1 and a 16-byte salt, stored with the hash, and verifies", async () => {
    const h = await hashPassword("correct horse battery");
    const [kind, logN, r, p, salt, key] = h.split("$");
    expect([kind, logN, r, p]).toEqual(["scrypt", "15", "8", "1"]);
    expect(Buffer.from(salt!, "base64")).toHaveLength(16);
    expect(Buffer.from(key!, "base64")).toHaveLength(32);
    expect(await verifyPassword("correct horse battery", h)).toBe(true);
    expect(await verifyPassword("correct horse batterY", h)).toBe(false);
    expect(await hashPassword("correct horse battery")).not.toBe(h); // fresh salt
  });

  it("treats 'é' typed as one or two code points alike (NFC)", async () => {
    const h = await hashPassword("caf\u00e9-password");
    expect(await verifyPassword("cafe\u0301-password", h)).toBe(true);
  });

  it("asks for a re-hash when the stored parameters are weaker than today's", async () => {
    const weak = await hashPassword("pw-pw-pw-pw", { logN: 14, r: 8, p: 1 });
    expect(await verifyPassword("pw-pw-pw-pw", weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await hashPassword("pw-pw-pw-pw", DEFAULT_SCRYPT))).toBe(false);
  });

  it("rejects damaged or absurd stored hashes without computing them", async () => {
    const good = await hashPassword("pw-pw-pw-pw");
    for (const bad of [
      "",
      "plain",
      good.replace("$15$", "$31$"),
      good.replace(/\$[^$]+$/, "$AAAA"),
      `bcrypt${good.slice(6)}`,
    ]) {
      expect(await verifyPassword("pw-pw-pw-pw", bad)).toBe(false);
      expect(needsRehash(bad)).toBe(true);
    }
  });

  it("generates readable random passwords and checks chosen ones", () => {
    const a = generatePassword();
    expect(a).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
    expect(generatePassword()).not.toBe(a);
    expect(passwordProblem("short")).toMatch(/at least 10 characters/);
    expect(passwordProblem("x".repeat(2000))).toMatch(/at most 1024/);
    expect(passwordProblem("long enough pass")).toBeUndefined();
  });
});

describe("LoginThrottle", () => {
  it("lets 3 failures per username pass, then doubles the wait for each further one", () => {
    const t = new LoginThrottle({ baseDelayMs: 1000 });
    let now = 0;
    for (let i = 0; i < 3; i++) t.recordFailure("kari", "10.0.0.1", now);
    expect(t.check("kari", "10.0.0.1", now)).toEqual({ allowed: true });
    t.recordFailure("kari", "10.0.0.1", now);
    expect(t.check("kari", "10.0.0.9", now)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(t.check("ola", "10.0.0.1", now)).toEqual({ allowed: true }); // the address is not blocked yet
    now += 1000;
    t.recordFailure("KARI", "10.0.0.1", now);
    expect(t.check("kari", undefined, now)).toEqual({ allowed: false, retryAfterMs: 2000 });
    now += 2000;
    t.recordFailure("kari", "10.0.0.1", now);
    expect(t.check("kari", undefined, now)).toEqual({ allowed: false, retryAfterMs: 4000 });
    t.recordSuccess("kari");
    expect(t.check("kari", undefined, now)).toEqual({ allowed: true });
  });

  it("slows an address that tries many usernames, and caps the wait", () => {
    const t = new LoginThrottle({ freeFailuresPerAddress: 5, baseDelayMs: 1000, maxDelayMs: 8000 });
    for (let i = 0; i < 5; i++) t.recordFailure(`user${i}`, "10.0.0.66", 0);
    expect(t.check("fresh", "10.0.0.66", 0)).toEqual({ allowed: true });
    for (let i = 5; i < 12; i++) t.recordFailure(`user${i}`, "10.0.0.66", 0);
    expect(t.check("fresh", "10.0.0.66", 0)).toEqual({ allowed: false, retryAfterMs: 8000 });
    expect(t.check("fresh", "10.0.0.67", 0)).toEqual({ allowed: true });
  });

  it("forgets old failures and never tracks more than its limit", () => {
    const t = new LoginThrottle({ maxTrackedKeys: 100, forgetAfterMs: 1000 });
    for (let i = 0; i < 1000; i++) t.recordFailure(`user${i}`, undefined, i);
    expect(t.trackedKeys).toBeLessThanOrEqual(100);
    t.recordFailure("late", undefined, 10_000);
    expect(t.trackedKeys).toBe(1);
  });
});
