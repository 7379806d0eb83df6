import { describe, expect, it } from "vitest";
import { mtconnectMonitorSchema } from "../../../src/adapters/mtconnect/config.ts";
import { groupMtconnectMonitors } from "../../../src/adapters/mtconnect/group.ts";

const parse = (input: unknown) => mtconnectMonitorSchema.safeParse(input);
const messages = (input: unknown) => {
  const r = parse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("mtconnectMonitorSchema", () => {
  it("fills documented defaults", () => {
    const r = mtconnectMonitorSchema.parse({ type: "mtconnect", url: "http://mill-2.verksted.lan:5000/" });
    expect(r).toEqual({
      type: "mtconnect",
      url: "http://mill-2.verksted.lan:5000",
      mode: "stream",
      intervalMs: 100,
      heartbeatMs: 10_000,
      count: 1000,
      pollMs: 1000,
      timeoutMs: 10_000,
      maxDocumentBytes: 64 * 1024 * 1024,
      maxReadingsPerDocument: 50_000,
      maxValueBytesPerDocument: 16 * 1024 * 1024,
      offlineAfterMs: 5000,
      dataItems: {},
      unmapped: "raw",
      reconnect: { initialMs: 500, maxMs: 30_000 },
    });
  });

  it("accepts per-item overrides in both forms", () => {
    const r = mtconnectMonitorSchema.parse({
      type: "mtconnect",
      url: "https://agent:5000/prefix",
      device: "VF2",
      dataItems: {
        Sspeed: "spindle.2.speed",
        Xload: { signal: "raw.xload", scale: 0.1 },
        noise: { ignore: true },
      },
    });
    expect(r.dataItems).toEqual({
      Sspeed: "spindle.2.speed",
      Xload: { signal: "raw.xload", scale: 0.1 },
      noise: { ignore: true },
    });
  });

  it("says what is wrong and where", () => {
    expect(messages({ type: "mtconnect", url: "mill-2:5000" })).toEqual([
      "url: expected an agent URL like http://mill-2.verksted.lan:5000 (http or https, no ?query, no user@)",
    ]);
    expect(messages({ type: "mtconnect", url: "http://a:5000/current?x=1" })[0]).toMatch(/^url:/);
    expect(messages({ type: "mtconnect", url: "http://user:secret@a:5000" })[0]).toMatch(/no user@/);
    expect(messages({ type: "mtconnect", url: "http://a", dataItems: { s: "spindle.sped" } })[0]).toMatch(
      /^dataItems.s: expected a catalogue signal id/,
    );
    expect(messages({ type: "mtconnect", url: "http://a", heartbeatMs: 5 })[0]).toMatch(
      /^heartbeatMs: expected milliseconds/,
    );
    expect(messages({ type: "mtconnect", url: "http://a", devcie: "x" })[0]).toMatch(/devcie/);
    expect(messages({ type: "mtconnect", url: "http://a", mode: "push" })[0]).toMatch(/^mode:/);
  });
});

describe("groupMtconnectMonitors", () => {
  const mon = (extra: Record<string, unknown>) =>
    mtconnectMonitorSchema.parse({ type: "mtconnect", ...extra });
  it("puts machines of one agent URL on one connection, keeping per-machine options", () => {
    const groups = groupMtconnectMonitors([
      { id: "mill-2", monitor: mon({ url: "http://agent:5000", device: "VF2", dataItems: { a: "raw.a" } }) },
      { id: "lathe-1", monitor: { type: "shdr" } },
      { id: "lathe-3", monitor: mon({ url: "http://agent:5000/", device: "ST10" }) },
      { id: "mill-4", monitor: mon({ url: "http://other:5000" }) },
      { id: "mill-5", monitor: mon({ url: "http://agent:5000", device: "UMC", heartbeatMs: 2000 }) },
      { id: "no-monitor" },
    ]);
    expect(groups.map((g) => [g.url, g.heartbeatMs, g.machines.map((m) => m.id)])).toEqual([
      ["http://agent:5000", 10_000, ["mill-2", "lathe-3"]],
      ["http://other:5000", 10_000, ["mill-4"]],
      ["http://agent:5000", 2000, ["mill-5"]],
    ]);
    expect(groups[0]!.machines[0]).toEqual({
      id: "mill-2",
      device: "VF2",
      dataItems: { a: "raw.a" },
      unmapped: "raw",
    });
  });
});
