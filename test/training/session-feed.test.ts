import { afterEach, describe, expect, it } from "vitest";
import type { MachineEvent } from "../../src/core/events.ts";
import { SessionTracker } from "../../src/pipeline/session.ts";
import { PSEUDONYM_PATTERN, pseudonymOf } from "../../src/training/people/pseudonym.ts";
import { sessionFeedOf } from "../../src/training/sessions/session-feed.ts";
import { SessionService } from "../../src/training/sessions/sessions.ts";
import { addUser, memoryStore, SECRET, T0 } from "./helpers.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("SessionFeed into the pipeline's SessionTracker", () => {
  it("drives session.start / session.end events carrying only the pseudonym", async () => {
    const store = memoryStore();
    const sessions = await SessionService.start({
      store,
      pseudonymSecret: SECRET,
      idleCheckoutMinutes: 30,
      endOfDay: "17:00",
      timeZone: "Europe/Oslo",
      onOccupied: "takeover",
      clock: () => T0,
    });
    cleanups.push(
      () => store.close(),
      () => sessions.close(),
    );
    const kari = await addUser(store, {
      username: "kari",
      displayName: "Kari Nordmann",
      email: "kari@example.no",
    });
    const ola = await addUser(store, { username: "ola", displayName: "Ola Nordmann" });

    // What the gateway does: one tracker per machine, fed by the feed.
    const feed = sessionFeedOf(sessions);
    const trackers = new Map([["lathe-1", new SessionTracker("lathe-1")]]);
    const events: MachineEvent[] = [];
    feed.subscribe((u) => trackers.get(u.machine)?.set(u.pseudonym, u.ts, events));

    await sessions.checkIn({ machine: "lathe-1", userId: kari.id, by: kari.id, source: "api", at: T0 });
    await sessions.checkIn({
      machine: "lathe-1",
      userId: ola.id,
      by: ola.id,
      source: "api",
      at: T0 + 60_000,
    });
    await sessions.checkOut({ machine: "lathe-1", by: ola.id, at: T0 + 180_000 });

    const pk = pseudonymOf(SECRET, kari.id);
    const po = pseudonymOf(SECRET, ola.id);
    expect(pk).toMatch(PSEUDONYM_PATTERN);
    expect(events).toEqual([
      { type: "session.start", machine: "lathe-1", ts: T0, session: pk, pseudonym: pk },
      {
        type: "session.end",
        machine: "lathe-1",
        ts: T0 + 60_000,
        session: pk,
        pseudonym: pk,
        durationMs: 60_000,
      },
      { type: "session.start", machine: "lathe-1", ts: T0 + 60_000, session: po, pseudonym: po },
      {
        type: "session.end",
        machine: "lathe-1",
        ts: T0 + 180_000,
        session: po,
        pseudonym: po,
        durationMs: 120_000,
      },
    ]);
    expect(trackers.get("lathe-1")?.current).toBeUndefined();
    const text = JSON.stringify(events);
    for (const personal of ["kari", "Kari", "Nordmann", "ola", "example.no", kari.id, ola.id]) {
      expect(text).not.toContain(personal);
    }
    await sessions.checkIn({
      machine: "lathe-1",
      userId: kari.id,
      by: kari.id,
      source: "api",
      at: T0 + 200_000,
    });
    expect(feed.currentPseudonym("lathe-1")).toBe(pk);
    expect(trackers.get("lathe-1")?.current).toBe(pk);
  });
});

describe("pseudonyms", () => {
  it("are stable per trainee and secret, differ between trainees and between sites", () => {
    const a = pseudonymOf(SECRET, "u-aaaaaaaaaaaaaaaa");
    expect(a).toMatch(PSEUDONYM_PATTERN);
    expect(pseudonymOf(SECRET, "u-aaaaaaaaaaaaaaaa")).toBe(a);
    expect(pseudonymOf(SECRET, "u-aaaaaaaaaaaaaaab")).not.toBe(a);
    expect(pseudonymOf(`${SECRET}x`, "u-aaaaaaaaaaaaaaaa")).not.toBe(a);
  });

  it("match HMAC-SHA256 truncated to 80 bits, base32", async () => {
    const { createHmac } = await import("node:crypto");
    const mac = createHmac("sha256", "k").update("u-1").digest();
    // first 10 bytes (80 bits) → 16 base32 characters
    let bits = "";
    for (const b of mac.subarray(0, 10)) bits += b.toString(2).padStart(8, "0");
    const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    const expected = bits
      .match(/.{5}/g)!
      .map((g) => alphabet[Number.parseInt(g, 2)])
      .join("");
    expect(pseudonymOf("k", "u-1")).toBe(`t-${expected}`);
  });
});
