import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MachineEvent } from "../../src/core/events.ts";
import { EmbeddedTimeseries } from "../../src/sinks/timeseries/embedded-timeseries.ts";
import { createWebApp } from "../../src/web/app.ts";
import { FakeFleet } from "./support/fake-fleet.ts";

// GET /api/machines/:id/events: the machine page's cycles, alarms and program
// transfers, read from the real embedded store (the same answers from InfluxDB
// are the history contract's business: test/sinks/history).

const T = 1_700_000_000_000;
const events: MachineEvent[] = [
  {
    type: "cycle.end",
    machine: "lathe-1",
    ts: T + 60_000,
    program: "O1001",
    startedAt: T,
    durationMs: 60_000,
    partsMade: 1,
    outcome: "completed",
    session: "p-secret",
  },
  {
    type: "cycle.end",
    machine: "mill-2",
    ts: T + 30_000,
    program: "O2",
    startedAt: T + 10_000,
    durationMs: 20_000,
    partsMade: 0,
    outcome: "aborted",
  },
  {
    type: "alarm.raise",
    machine: "lathe-1",
    ts: T + 5_000,
    key: "system",
    nativeCode: "1010",
    severity: "fault",
    nativeSeverity: "2",
    text: "Chuck open",
    session: "p-secret",
  },
  {
    type: "alarm.clear",
    machine: "lathe-1",
    ts: T + 17_000,
    key: "system",
    nativeCode: "1010",
    text: "Chuck open",
    raisedAt: T + 5_000,
    durationMs: 12_000,
  },
  {
    type: "program.transfer",
    machine: "lathe-1",
    ts: T + 40_000,
    direction: "send",
    file: "O1001.nc",
    checksum: "sha256:abc",
    bytes: 2048,
    durationMs: 3_000,
    result: "failed",
    error: "the control stopped answering",
    session: "p-secret",
  },
];

describe("GET /api/machines/:id/events", () => {
  const fleet = new FakeFleet(T + 120_000);
  const store = new EmbeddedTimeseries({
    path: ":memory:",
    retentionDays: 0,
    log: pino({ level: "silent" }),
  });
  let app: ReturnType<typeof createWebApp>;
  const get = async (url: string) => {
    const r = await app.inject({ url });
    return { status: r.statusCode, body: r.json() };
  };

  beforeAll(async () => {
    await store.start();
    store.write({ observations: [], events, snapshots: [] });
    await store.flush();
    app = createWebApp({ ...fleet.deps(), history: store }, { now: () => T + 120_000 });
  });
  afterAll(async () => {
    await app?.close();
    await store.stop();
  });

  it("lists a machine's cycles in the window (default the last hour), never the session pseudonym", async () => {
    const r = await get("/api/machines/lathe-1/events?type=cycle.end");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      machine: "lathe-1",
      type: "cycle.end",
      from: T + 120_000 - 3_600_000,
      to: T + 120_000,
      limit: 500,
      events: [
        {
          startedAt: T,
          endedAt: T + 60_000,
          durationMs: 60_000,
          program: "O1001",
          partsMade: 1,
          outcome: "completed",
          // Without the training store nobody is resolved, and the pseudonym never leaves.
          who: null,
        },
      ],
    });
    expect(JSON.stringify(r.body)).not.toContain("p-secret");
  });

  it("lists alarms with their durations and program transfers with their result", async () => {
    const alarms = await get(`/api/machines/lathe-1/events?type=alarm&from=${T}&to=${T + 60_000}`);
    expect(alarms.body.events).toEqual([
      {
        raisedAt: T + 5_000,
        clearedAt: T + 17_000,
        durationMs: 12_000,
        code: "1010",
        severity: "fault",
        text: "Chuck open",
      },
    ]);
    const transfers = await get(`/api/machines/lathe-1/events?type=program.transfer&from=${T}`);
    expect(transfers.body.events).toEqual([
      {
        endedAt: T + 40_000,
        direction: "send",
        file: "O1001.nc",
        bytes: 2048,
        durationMs: 3_000,
        result: "failed",
        error: "the control stopped answering",
      },
    ]);
    expect(JSON.stringify(transfers.body)).not.toContain("p-secret");
    // Another machine's records stay on its own page; a window before anything is empty.
    expect((await get(`/api/machines/mill-2/events?type=program.transfer&from=${T}`)).body.events).toEqual(
      [],
    );
    expect(
      (await get(`/api/machines/lathe-1/events?type=cycle.end&from=${T - 1000}&to=${T}`)).body.events,
    ).toEqual([]);
  });

  it.each([
    ["", "type", /type: required; add for example \?type=cycle\.end/],
    ["?type=cycle_end", "type", /did you mean "cycle\.end"\?/],
    ["?type=cycles", "type", /use one of cycle\.end, alarm, program\.transfer/],
    ["?type=alarm&type=alarm", "type", /given more than once/],
    ["?type=alarm&frm=1", "frm", /frm: unknown parameter; did you mean "from"\?/],
    ["?type=alarm&from=yesterday", "from", /from: expected milliseconds since 1970/],
    [`?type=alarm&from=${T}&to=${T - 1}`, "from", /must be earlier than to/],
    [`?type=alarm&from=${T - 8 * 86_400_000}&to=${T}`, "from", /at most 7 days/],
    ["?type=alarm&limit=0", "limit", /limit: expected an integer 1–2000/],
    ["?type=alarm&__proto__=1", "__proto__", /unknown parameter/],
  ])("answers 400 bad_query for %s, naming the parameter and the fix", async (query, parameter, message) => {
    const r = await get(`/api/machines/lathe-1/events${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("bad_query");
    expect(r.body.parameter).toBe(parameter);
    expect(r.body.message).toMatch(message);
    expect(r.body.issues[0].parameter).toBe(parameter);
  });

  it("answers 404 for an unknown machine and 501 without a store", async () => {
    expect((await get("/api/machines/nope/events?type=alarm")).status).toBe(404);
    const bare = createWebApp({ ...fleet.deps(), history: undefined });
    const r = await bare.inject({ url: "/api/machines/lathe-1/events?type=alarm" });
    expect(r.statusCode).toBe(501);
    expect(r.json().error).toBe("history_unavailable");
    await bare.close();
  });
});
