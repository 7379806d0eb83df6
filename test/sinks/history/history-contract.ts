// One contract for the history interface, run against every implementation:
// the same pipeline output goes in, the same answers must come out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PipelineOutput } from "../../../src/core/contracts.ts";
import type { MachineEvent } from "../../../src/core/events.ts";
import type { HistoryStore } from "../../../src/sinks/history/history.ts";
import { obs, output, snapshot } from "../helpers/fixtures.ts";

export type HistoryUnderTest = {
  history: HistoryStore;
  /** Store the output and resolve once the history can see it. */
  write(out: PipelineOutput): Promise<void>;
  close(): Promise<void>;
};

const T = 1_700_000_000_000; // a whole second, so bucket edges are easy to read

function fixture(): PipelineOutput {
  const observations = [];
  let seq = 1;
  // lathe-1 spindle.speed: one value every 10 ms for 10 s (1,000 rows): 0,1,2,…
  for (let i = 0; i < 1000; i++) observations.push(obs("lathe-1", "spindle.speed", i, seq++, T + i * 10));
  // Two values in the same millisecond: both are rows.
  observations.push(obs("lathe-1", "spindle.load", 40, seq++, T + 20_000));
  observations.push(obs("lathe-1", "spindle.load", 41, seq++, T + 20_000));
  observations.push(obs("lathe-1", "spindle.load", null, seq++, T + 20_005));
  observations.push(obs("lathe-1", "spindle.load", 44, seq++, T + 20_010));
  // A text series.
  const programs = ["O1", "O2", "O3", "O4"];
  programs.forEach((p, i) => {
    observations.push(obs("lathe-1", "program.name", p, seq++, T + 30_000 + i * 1000));
  });
  // Only unavailable in one bucket.
  observations.push(obs("mill-1", "feed.rate", 100, seq++, T));
  observations.push(obs("mill-1", "feed.rate", null, seq++, T + 5000));
  observations.push(obs("mill-1", "feed.rate", null, seq++, T + 5001));
  observations.push(obs("mill-1", "feed.rate", 300, seq++, T + 9000));

  const events: MachineEvent[] = [
    { type: "state.change", machine: "lathe-1", ts: T + 1000, from: "idle", to: "running" },
    { type: "state.change", machine: "lathe-1", ts: T + 5000, from: "running", to: "feed_hold" },
    { type: "state.change", machine: "lathe-1", ts: T + 6000, from: "feed_hold", to: "running" },
    { type: "state.change", machine: "lathe-1", ts: T + 9000, from: "running", to: "alarm" },
    cycleEnd("lathe-1", T + 1000, T + 4000, "O1", "p-1"),
    cycleEnd("lathe-1", T + 6000, T + 9000, "O2", undefined),
    cycleEnd("mill-1", T + 2000, T + 3000, null, "p-2"),
    raise("lathe-1", "system", "1010", T + 2000, "p-1"),
    clear("lathe-1", "system", "1010", T + 2000, T + 3000),
    raise("lathe-1", "system", "2020", T + 8000, undefined),
    // Cleared, raised before this store knew: the clear alone is kept.
    clear("mill-1", "axis", "77", T + 500, T + 7000),
    transfer("lathe-1", T + 2500, "O1.nc", "ok", "p-1"),
    transfer("mill-1", T + 4000, "O7.nc", "failed", undefined, "timeout: no XON for 30 s"),
    transfer("lathe-1", T + 9500, "O2.nc", "cancelled"),
  ];
  return output({ observations, events, snapshots: [snapshot("lathe-1", "idle", T)] });
}

function cycleEnd(
  machine: string,
  start: number,
  end: number,
  program: string | null,
  session?: string,
): MachineEvent {
  return {
    type: "cycle.end",
    machine,
    ts: end,
    program,
    startedAt: start,
    durationMs: end - start,
    partsMade: 1,
    outcome: "completed",
    ...(session ? { session } : {}),
  };
}

function raise(machine: string, key: string, code: string, ts: number, session?: string): MachineEvent {
  return {
    type: "alarm.raise",
    machine,
    ts,
    key,
    nativeCode: code,
    severity: "fault",
    nativeSeverity: "2",
    text: `alarm ${code}`,
    ...(session ? { session } : {}),
  };
}

function clear(machine: string, key: string, code: string, raisedAt: number, ts: number): MachineEvent {
  return {
    type: "alarm.clear",
    machine,
    ts,
    key,
    nativeCode: code,
    text: `alarm ${code}`,
    raisedAt,
    durationMs: ts - raisedAt,
  };
}

function transfer(
  machine: string,
  ts: number,
  file: string,
  result: "ok" | "failed" | "cancelled",
  session?: string,
  error?: string,
): MachineEvent {
  return {
    type: "program.transfer",
    machine,
    ts,
    direction: "send",
    file,
    checksum: `sha256:${file}`,
    bytes: 1234,
    durationMs: 800,
    result,
    ...(error ? { error } : {}),
    ...(session ? { session } : {}),
  };
}

export function historyContract(name: string, create: () => Promise<HistoryUnderTest>): void {
  describe(`history contract: ${name}`, () => {
    let sut: HistoryUnderTest;
    let h: HistoryStore;
    beforeAll(async () => {
      sut = await create();
      h = sut.history;
      await sut.write(fixture());
    });
    afterAll(async () => {
      await sut?.close();
    });

    it("range: raw rows when the window holds at most maxPoints, in time order", async () => {
      const points = await h.range({
        machine: "lathe-1",
        signal: "spindle.speed",
        from: T + 100,
        to: T + 150,
        maxPoints: 10,
      });
      expect(points).toEqual([10, 11, 12, 13, 14].map((v) => ({ ts: T + v * 10, value: v })));
    });

    it("range: same-millisecond rows and unavailable values are all there", async () => {
      const points = await h.range({
        machine: "lathe-1",
        signal: "spindle.load",
        from: T + 19_000,
        to: T + 21_000,
        maxPoints: 100,
      });
      expect(points).toEqual([
        { ts: T + 20_000, value: 40 },
        { ts: T + 20_000, value: 41 },
        { ts: T + 20_005, value: null },
        { ts: T + 20_010, value: 44 },
      ]);
    });

    it("range: more rows than maxPoints → equal buckets from `from` with avg, min, max", async () => {
      const points = await h.range({
        machine: "lathe-1",
        signal: "spindle.speed",
        from: T,
        to: T + 10_000,
        maxPoints: 4,
      });
      // 2,500 ms buckets of 250 values each: 0–249, 250–499, …
      expect(points).toEqual([
        { ts: T, value: 124.5, min: 0, max: 249 },
        { ts: T + 2500, value: 374.5, min: 250, max: 499 },
        { ts: T + 5000, value: 624.5, min: 500, max: 749 },
        { ts: T + 7500, value: 874.5, min: 750, max: 999 },
      ]);
    });

    it("range: buckets that start off the epoch grid, empty buckets left out, an all-unavailable bucket is null", async () => {
      const points = await h.range({
        machine: "mill-1",
        signal: "feed.rate",
        from: T - 333,
        to: T + 9667,
        maxPoints: 2,
      });
      expect(points).toEqual([
        { ts: T - 333, value: 100, min: 100, max: 100 },
        { ts: T + 4667, value: 300, min: 300, max: 300 },
      ]);
      const raw = await h.range({
        machine: "mill-1",
        signal: "feed.rate",
        from: T,
        to: T + 10_000,
        maxPoints: 4,
      });
      expect(raw).toEqual([
        { ts: T, value: 100 },
        { ts: T + 5000, value: null },
        { ts: T + 5001, value: null },
        { ts: T + 9000, value: 300 },
      ]);
      const one = await h.range({
        machine: "mill-1",
        signal: "feed.rate",
        from: T,
        to: T + 10_000,
        maxPoints: 1,
      });
      expect(one).toEqual([{ ts: T, value: 200, min: 100, max: 300 }]);
      const onlyNull = await h.range({
        machine: "mill-1",
        signal: "feed.rate",
        from: T + 4000,
        to: T + 6000,
        maxPoints: 1,
      });
      expect(onlyNull).toEqual([{ ts: T + 4000, value: null, min: null, max: null }]);
    });

    it("range: a text series gives each bucket's last value", async () => {
      const raw = await h.range({
        machine: "lathe-1",
        signal: "program.name",
        from: T + 30_000,
        to: T + 40_000,
        maxPoints: 10,
      });
      expect(raw.map((p) => p.value)).toEqual(["O1", "O2", "O3", "O4"]);
      const buckets = await h.range({
        machine: "lathe-1",
        signal: "program.name",
        from: T + 30_000,
        to: T + 34_000,
        maxPoints: 2,
      });
      expect(buckets).toEqual([
        { ts: T + 30_000, value: "O2" },
        { ts: T + 32_000, value: "O4" },
      ]);
    });

    it("range: an unknown series or machine is empty; a bad window is a RangeError", async () => {
      expect(
        await h.range({ machine: "nope", signal: "spindle.speed", from: T, to: T + 1000, maxPoints: 10 }),
      ).toEqual([]);
      expect(
        await h.range({ machine: "lathe-1", signal: "tool.number", from: T, to: T + 1000, maxPoints: 10 }),
      ).toEqual([]);
      await expect(
        h.range({ machine: "lathe-1", signal: "spindle.speed", from: T, to: T, maxPoints: 10 }),
      ).rejects.toThrow(RangeError);
      await expect(
        h.range({ machine: "lathe-1", signal: "spindle.speed", from: T, to: T + 1, maxPoints: 0 }),
      ).rejects.toThrow(/maxPoints/);
    });

    it("stateTimeline: starts with the state in effect at `from`, back-to-back to `to`", async () => {
      expect(await h.stateTimeline({ machine: "lathe-1", from: T + 3000, to: T + 10_000 })).toEqual([
        { state: "running", from: T + 3000, to: T + 5000 },
        { state: "feed_hold", from: T + 5000, to: T + 6000 },
        { state: "running", from: T + 6000, to: T + 9000 },
        { state: "alarm", from: T + 9000, to: T + 10_000 },
      ]);
      expect(await h.stateTimeline({ machine: "lathe-1", from: T - 5000, to: T + 1500 })).toEqual([
        { state: "idle", from: T, to: T + 1000 },
        { state: "running", from: T + 1000, to: T + 1500 },
      ]);
      expect(await h.stateTimeline({ machine: "nope", from: T, to: T + 1 })).toEqual([]);
    });

    it("cycles: those that overlap the window, oldest first, optionally one machine", async () => {
      const all = await h.cycles({ from: T + 3500, to: T + 6500 });
      expect(all.map((c) => [c.machine, c.startedAt, c.endedAt])).toEqual([
        ["lathe-1", T + 1000, T + 4000],
        ["lathe-1", T + 6000, T + 9000],
      ]);
      expect(all[0]).toEqual({
        machine: "lathe-1",
        program: "O1",
        startedAt: T + 1000,
        endedAt: T + 4000,
        durationMs: 3000,
        partsMade: 1,
        outcome: "completed",
        session: "p-1",
      });
      expect(all[1]!.session).toBeNull();
      const mill = await h.cycles({ machine: "mill-1", from: T, to: T + 10_000 });
      expect(mill).toEqual([
        {
          machine: "mill-1",
          program: null,
          startedAt: T + 2000,
          endedAt: T + 3000,
          durationMs: 1000,
          partsMade: 1,
          outcome: "completed",
          session: "p-2",
        },
      ]);
      expect(await h.cycles({ from: T, to: T + 10_000, limit: 1 })).toHaveLength(1);
    });

    it("alarms: active at any time in the window; still active has clearedAt null", async () => {
      const inWindow = await h.alarms({ from: T + 2500, to: T + 8500 });
      expect(inWindow.map((a) => [a.machine, a.nativeCode])).toEqual([
        ["mill-1", "77"],
        ["lathe-1", "1010"],
        ["lathe-1", "2020"],
      ]);
      expect(inWindow[1]).toEqual({
        machine: "lathe-1",
        key: "system",
        nativeCode: "1010",
        severity: "fault",
        nativeSeverity: "2",
        text: "alarm 1010",
        raisedAt: T + 2000,
        clearedAt: T + 3000,
        durationMs: 1000,
        session: "p-1",
      });
      expect(inWindow[2]).toMatchObject({
        nativeCode: "2020",
        clearedAt: null,
        durationMs: null,
        session: null,
      });
      expect(inWindow[0]).toMatchObject({
        severity: null,
        text: "alarm 77",
        raisedAt: T + 500,
        clearedAt: T + 7000,
      });
      const later = await h.alarms({ machine: "lathe-1", from: T + 3500, to: T + 20_000 });
      expect(later.map((a) => a.nativeCode)).toEqual(["2020"]);
    });

    it("transfers: those that ended in the window, oldest first, optionally one machine", async () => {
      const all = await h.transfers({ from: T + 2500, to: T + 9500 });
      expect(all).toEqual([
        {
          machine: "lathe-1",
          endedAt: T + 2500,
          direction: "send",
          file: "O1.nc",
          checksum: "sha256:O1.nc",
          bytes: 1234,
          durationMs: 800,
          result: "ok",
          error: null,
          session: "p-1",
        },
        {
          machine: "mill-1",
          endedAt: T + 4000,
          direction: "send",
          file: "O7.nc",
          checksum: "sha256:O7.nc",
          bytes: 1234,
          durationMs: 800,
          result: "failed",
          error: "timeout: no XON for 30 s",
          session: null,
        },
      ]);
      const lathe = await h.transfers({ machine: "lathe-1", from: T, to: T + 10_000 });
      expect(lathe.map((t) => [t.file, t.result])).toEqual([
        ["O1.nc", "ok"],
        ["O2.nc", "cancelled"],
      ]);
      expect(await h.transfers({ from: T, to: T + 10_000, limit: 2 })).toHaveLength(2);
      expect(await h.transfers({ machine: "nope", from: T, to: T + 10_000 })).toEqual([]);
      await expect(h.transfers({ from: T, to: T })).rejects.toThrow(RangeError);
    });
  });
}
