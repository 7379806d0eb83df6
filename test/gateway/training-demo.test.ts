import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { startTraining, type Training } from "../../src/gateway/training.ts";
import { parseTrainingConfig } from "../../src/training/config.ts";
import { DEMO_USERS, seedDemo } from "../../src/training/demo-seed.ts";
import { SqliteTrainingStore } from "../../src/training/store/sqlite.ts";
import { waitFor } from "../support/ports.ts";

// The demo's training layer as `npm start` runs it: the seeded course, the
// logins printed once (usernames and passwords, never names), and the
// scripted course day — also after a restart that finds last run's sessions
// still open.

const MACHINES = ["lathe-1", "mill-1", "lathe-2", "mill-2", "okuma-replay"];

let training: Training | undefined;
afterEach(async () => {
  await training?.close();
  training = undefined;
});

describe("the demo's training layer", () => {
  it("prints the demo logins once, without names, and checks every demo trainee in afresh", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "mp-demo-")), "training.db");
    // Last run left elev1 checked in on lathe-1, three hours ago.
    const store = new SqliteTrainingStore(path);
    const seed = await seedDemo(store);
    const stale = await store.startSession(
      {
        id: "s-stale",
        machine: "lathe-1",
        userId: seed.trainees[0]!.id,
        startedAt: Date.now() - 3 * 3_600_000,
        source: "demo",
        startedBy: seed.trainees[0]!.id,
      },
      "refuse",
    );
    expect(stale.ok).toBe(true);
    await store.close();

    const printed: string[] = [];
    training = await startTraining(parseTrainingConfig({ demo: true, path, endOfDay: "off" }), {
      machines: MACHINES,
      timeZone: "Europe/Oslo",
      log: pino({ level: "silent" }),
      print: (text) => printed.push(text),
    });
    expect(printed).toHaveLength(1);
    for (const u of DEMO_USERS) {
      expect(printed[0]).toContain(u.username);
      expect(printed[0]).toContain(u.password);
      expect(printed[0]).not.toContain(u.displayName);
    }

    training.startDemoDay();
    const sessions = training.sessions;
    const open = await waitFor("every demo trainee checked in", () => {
      const now = sessions.openSessions();
      return now.length === seed.trainees.length ? now : undefined;
    });
    expect(open.map((s) => s.sessionId)).not.toContain("s-stale");
    expect(new Set(open.map((s) => s.machine)).size).toBe(seed.trainees.length);
    const ended = await training.store.getSession("s-stale");
    expect(ended?.endReason).toBe("idle");
  });
});
