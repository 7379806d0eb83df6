import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_REPLAY_TIMING,
  parseShdrLog,
  parseShdrTimestamp,
  replaySchedule,
} from "../../../simulators/shdr/replay.ts";
import { type ShdrSimulator, startShdrSimulator } from "../../../simulators/shdr/server.ts";
import { CPPAGENT_FIXTURES } from "../../support/fixtures.ts";
import { waitFor } from "../../support/ports.ts";
import { ShdrTestClient } from "./shdr-client.ts";

// The real Okuma MULTUS adapter log (fixtures/mtconnect/cppagent in this repository).
const okumaText = readFileSync(`${CPPAGENT_FIXTURES}/okuma.txt`, "utf8");

const log = pino({ level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "shdr-replay-"));
const running: ShdrSimulator[] = [];
const clients: ShdrTestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(running.splice(0).map((s) => s.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (ms: number) => new Date(Date.UTC(2022, 7, 8, 13, 0, 0) + ms).toISOString().replace("Z", "1234Z");

/** A small log: timed lines, a backward jump (a new session), an asset block with an old timestamp. */
function sampleLog(): string {
  return [
    `${at(0)}|avail|AVAILABLE|execution|READY`,
    `${at(600)}|execution|ACTIVE`,
    `${at(-3_600_000)}|@ASSET@|T1|CuttingTool|--multiline--ABCD`,
    `<CuttingTool assetId="T1"><Description>old|piped|text</Description>`,
    `</CuttingTool>`,
    `--multiline--ABCD`,
    `${at(1200)}|Sspeed|800`,
    `${at(-7_200_000)}|avail|AVAILABLE|execution|READY`,
    `${at(-7_200_000 + 600)}|execution|ACTIVE`,
    "",
  ].join("\n");
}

async function replay(content: string, options: Partial<Parameters<typeof startShdrSimulator>[0]>) {
  const file = join(dir, `log-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, content);
  const sim = await startShdrSimulator({ port: 0, replay: file, log, ...options });
  running.push(sim);
  const c = await ShdrTestClient.connect(sim.ports[0] ?? 0);
  clients.push(c);
  return { sim, c };
}

describe("SHDR log parsing", () => {
  it("reads timestamps with 7 fraction digits, offsets and no zone (UTC)", () => {
    const base = Date.UTC(2022, 7, 8, 13, 51, 34);
    expect(parseShdrTimestamp("2022-08-08T13:51:34.7167146Z")).toBeCloseTo(base + 716.7146, 3);
    expect(parseShdrTimestamp("2022-08-08T13:51:34.5")).toBe(base + 500);
    expect(parseShdrTimestamp("2022-08-08T15:51:34+02:00")).toBe(base);
    expect(parseShdrTimestamp("yesterday")).toBeNull();
    expect(parseShdrTimestamp("")).toBeNull();
  });

  it("splits okuma.txt into records that add up to the file, asset blocks whole", () => {
    const { records, warnings } = parseShdrLog(okumaText);
    expect(warnings).toEqual([]);
    expect(records).toHaveLength(10_534);
    expect(records.filter((r) => r.timeMs !== null)).toHaveLength(10_373);
    expect(records.map((r) => r.text).join("")).toBe(okumaText);
    const assets = records.filter((r) => r.text.includes("|@ASSET@|"));
    expect(assets).toHaveLength(118);
    for (const a of assets) {
      const lines = a.text.trimEnd().split("\n");
      expect(lines[0]).toMatch(/--multiline--ABCD$/);
      expect(lines[lines.length - 1]).toBe("--multiline--ABCD");
      expect(a.timeMs).toBeNull(); // asset time is not log time
    }
  });

  it("reports an unclosed multiline block and sends it anyway", () => {
    const { records, warnings } = parseShdrLog(`${at(0)}|@ASSET@|T1|CuttingTool|--multiline--XY\n<a/>\n`);
    expect(warnings[0]).toMatch(/line 1: --multiline--XY block is not closed/);
    expect(records[0]?.text).toBe(`${at(0)}|@ASSET@|T1|CuttingTool|--multiline--XY\n<a/>\n`);
  });

  it("schedules by log time / speed; backward jumps never wait; long gaps are capped", () => {
    const { records } = parseShdrLog(sampleLog());
    const due = replaySchedule(records, { ...DEFAULT_REPLAY_TIMING, speed: 2 });
    // 0, +600 → 300, asset (no clock), +600 → 600, jump back 2 h → 600, +600 → 900
    expect(due.map((d) => Math.round(d))).toEqual([0, 300, 300, 600, 600, 900]);
    const jitter = parseShdrLog(
      `${at(0)}|a|1\n${at(1000)}|a|2\n${at(900)}|a|3\n${at(1100)}|a|4\n${at(60_000)}|a|5\n`,
    );
    // A 0.1 s step back (writer threads) keeps the clock at 1000: the next line waits 100 ms, not 200.
    expect(replaySchedule(jitter.records, { ...DEFAULT_REPLAY_TIMING, speed: 1 })).toEqual([
      0, 1000, 1000, 1100, 11_100,
    ]);
  });

  it("okuma.txt plays in about 23 minutes at speed 1 (gaps between sessions capped at 10 s)", () => {
    const due = replaySchedule(parseShdrLog(okumaText).records, DEFAULT_REPLAY_TIMING);
    expect((due[due.length - 1] ?? 0) / 60_000).toBeGreaterThan(20);
    expect((due[due.length - 1] ?? 0) / 60_000).toBeLessThan(25);
  });
});

describe("SHDR replay over TCP", () => {
  it("keeps the recorded timing scaled by speed, skips backward jumps, keeps asset blocks intact", async () => {
    const { c } = await replay(sampleLog(), { speed: 2, loop: false });
    await c.waitForLine(
      "last line",
      (l) => l.endsWith("|execution|ACTIVE") && l.startsWith(at(-7_200_000 + 600)),
    );
    const arrival = (prefix: string) => {
      const line = c.lines.find((l) => l.text.startsWith(prefix));
      if (!line) throw new Error(`no line starting ${prefix}`);
      return line.at;
    };
    const t0 = arrival(at(0));
    const t1 = arrival(at(600));
    const t2 = arrival(at(1200));
    const t3 = arrival(at(-7_200_000));
    const t4 = arrival(at(-7_200_000 + 600));
    // 600 ms of log at speed 2 = 300 ms; generous upper bounds for a busy machine.
    expect(t1 - t0).toBeGreaterThanOrEqual(250);
    expect(t1 - t0).toBeLessThan(1000);
    expect(t2 - t1).toBeGreaterThanOrEqual(250);
    // Two hours back: sent at once, not after 2 h / 2.
    expect(t3 - t2).toBeLessThan(250);
    expect(t4 - t3).toBeGreaterThanOrEqual(250);
    const text = c.text;
    const start = text.findIndex((l) => l.includes("|@ASSET@|"));
    expect(text.slice(start, start + 4)).toEqual([
      `${at(-3_600_000)}|@ASSET@|T1|CuttingTool|--multiline--ABCD`,
      `<CuttingTool assetId="T1"><Description>old|piped|text</Description>`,
      `</CuttingTool>`,
      `--multiline--ABCD`,
    ]);
    // No loop: nothing more comes, the connection stays up for heartbeats.
    const count = c.lines.length;
    c.send("* PING");
    await c.waitForLine("PONG", (l) => l.startsWith("* PONG "), count);
    expect(c.lines.length).toBe(count + 1);
  });

  it("loops by default and can re-stamp lines with the current time", async () => {
    const { c } = await replay(sampleLog(), { speed: 50, retime: true });
    await waitFor("second pass", () => c.text.filter((l) => l.includes("|@ASSET@|")).length >= 2, 8000);
    const now = Date.now();
    const stamped = c.text.filter((l) => l.includes("|avail|"));
    for (const l of stamped) {
      const ts = parseShdrTimestamp(l.split("|")[0] ?? "") ?? 0;
      expect(Math.abs(now - ts)).toBeLessThan(60_000);
    }
    expect(c.text).toContain(`<CuttingTool assetId="T1"><Description>old|piped|text</Description>`);
  });

  it("replays okuma.txt verbatim to every client", async () => {
    const { sim, c } = await replay(okumaText, { speed: 10_000, loop: false, machines: 2 });
    expect(sim.ports).toHaveLength(2);
    const other = await ShdrTestClient.connect(sim.ports[1] ?? 0);
    clients.push(other);
    const lineCount = okumaText.split("\n").length - 1;
    for (const client of [c, other]) {
      await waitFor("whole log", () => client.lines.length >= lineCount, 15_000);
      expect(`${client.text.join("\n")}\n`).toBe(okumaText);
    }
  });

  it("fails clearly for a missing or empty replay file", async () => {
    await expect(startShdrSimulator({ port: 0, replay: join(dir, "nope.txt"), log })).rejects.toThrow(
      /cannot read replay file .*nope\.txt: ENOENT/,
    );
    const empty = join(dir, "empty.txt");
    writeFileSync(empty, "\n\n");
    await expect(startShdrSimulator({ port: 0, replay: empty, log })).rejects.toThrow(/holds no SHDR lines/);
  });
});
