import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { DncLineEntry } from "../../../src/web/api/dnc/index.ts";
import { FakeLine } from "./fake-line.ts";
import { buildDncApp, type Harness, loginAs } from "./harness.ts";

// The DNC routes through app.inject(): access (401, 403 per role and
// check-in), validation with line numbers, size limits (413), one transfer
// per line (409), progress, the event stream's pace, cancel, history and
// library. The line is a stand-in here; upload-e2e.test.ts uses the real
// engine over a simulated control.

const GOOD = readFileSync(new URL("../../dnc/programs/fanuc-O1234.nc", import.meta.url), "latin1");
/** Line 5 of the sample with a lower-case letter at column 2: "t0101". */
const BROKEN = GOOD.split("\n")
  .map((line, i) => (i === 5 ? line.toLowerCase() : line))
  .join("\n");

let harness: (Harness & { app: import("../../../src/web/app.ts").WebApp }) | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function setUp(options: Parameters<typeof buildDncApp>[1] = {}) {
  const lathe = new FakeLine("lathe-4", "fanuc");
  const mill = new FakeLine("mill-2", "haas");
  const lines: DncLineEntry[] = [
    { id: "lathe-4", name: "Old Fanuc lathe", kind: "lathe", transport: "tcp", line: lathe },
    { id: "mill-2", name: "Haas VF-2", kind: "mill", transport: "serial", line: mill },
  ];
  harness = buildDncApp(lines, options);
  return { ...harness, lathe, mill };
}

const send = (machine: string, program = GOOD, extra: Record<string, unknown> = {}) => ({
  method: "POST" as const,
  url: "/api/dnc/transfers",
  payload: { machine, fileName: "O1234.nc", program, ...extra },
});

describe("access", () => {
  it("answers 401 without a session on every DNC route, and starts nothing", async () => {
    const { app, lathe } = setUp();
    const requests = [
      { method: "GET" as const, url: "/api/dnc/machines" },
      {
        method: "POST" as const,
        url: "/api/dnc/validate",
        payload: { machine: "lathe-4", fileName: "a.nc", program: GOOD },
      },
      send("lathe-4"),
      { method: "GET" as const, url: "/api/dnc/transfers/x-1" },
      { method: "GET" as const, url: "/api/dnc/transfers/x-1/events" },
      { method: "DELETE" as const, url: "/api/dnc/transfers/x-1" },
      { method: "GET" as const, url: "/api/dnc/transfers?mine=1" },
      { method: "GET" as const, url: "/api/dnc/library" },
      { method: "GET" as const, url: "/api/dnc/library/O1234.nc/abc" },
    ];
    for (const request of requests) {
      const res = await app.inject(request);
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(401);
      expect(res.json().error).toBe("unauthenticated");
    }
    expect(lathe.started).toEqual([]);
  });

  it("refuses a trainee who is not checked in on that machine (403), and lets them send once checked in", async () => {
    const { app, lathe, checkIns } = setUp();
    const ola = await loginAs(app, "ola");
    const refused = await ola.inject(send("lathe-4"));
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: "not_checked_in" });
    expect(refused.json().message).toContain("check in");
    expect(lathe.started).toEqual([]);

    checkIns.checkIn("u-trainee-1", "mill-2"); // another machine does not count
    expect((await ola.inject(send("lathe-4"))).statusCode).toBe(403);

    checkIns.checkIn("u-trainee-1", "lathe-4");
    const accepted = await ola.inject(send("lathe-4"));
    expect(accepted.statusCode, accepted.body).toBe(202);
    expect(lathe.started).toHaveLength(1);
  });

  it("lets instructors and admins send anywhere without a check-in; drip-feed only for them", async () => {
    const { app, lathe, mill, checkIns } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const drip = await ola.inject(send("lathe-4", GOOD, { mode: "drip" }));
    expect(drip.statusCode).toBe(403);
    expect(drip.json().message).toContain("drip-feed");

    const kari = await loginAs(app, "kari");
    const res = await kari.inject(send("lathe-4", GOOD, { mode: "drip" }));
    expect(res.statusCode, res.body).toBe(202);
    expect(lathe.started[0]?.direction).toBe("drip");
    const root = await loginAs(app, "root");
    expect((await root.inject(send("mill-2", GOOD.replace("O1234", "O01234")))).statusCode).toBe(202);
    expect(mill.started).toHaveLength(1);
  });

  it("needs the CSRF token to start a transfer", async () => {
    const { app, checkIns, lathe } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const res = await ola.inject({ ...send("lathe-4"), headers: { "x-csrf-token": "" } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe("csrf_token_missing");
    expect(lathe.started).toEqual([]);
  });
});

describe("machines", () => {
  it("lists the machines with a DNC line, their profile, whether busy, and whether this user may start", async () => {
    const { app, checkIns } = setUp();
    checkIns.checkIn("u-trainee-1", "mill-2");
    const ola = await loginAs(app, "ola");
    const res = await ola.inject({ url: "/api/dnc/machines" });
    expect(res.statusCode).toBe(200);
    expect(res.json().machines).toEqual([
      expect.objectContaining({
        id: "lathe-4",
        kind: "lathe",
        profile: "fanuc",
        transport: "tcp",
        busy: false,
        mayStart: false,
      }),
      expect.objectContaining({
        id: "mill-2",
        kind: "mill",
        profile: "haas",
        transport: "serial",
        busy: false,
        mayStart: true,
      }),
    ]);
    const kari = await loginAs(app, "kari");
    const staff = (await kari.inject({ url: "/api/dnc/machines" })).json().machines;
    expect(staff.map((m: { mayStart: boolean }) => m.mayStart)).toEqual([true, true]);
  });
});

describe("validate", () => {
  it("names each problem's line and column against the machine's profile", async () => {
    const { app } = setUp();
    const ola = await loginAs(app, "ola");
    const res = await ola.inject({
      method: "POST",
      url: "/api/dnc/validate",
      payload: { machine: "lathe-4", fileName: "O1234.nc", program: BROKEN },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.ok).toBe(false);
    expect(body.profile).toBe("fanuc");
    expect(body.problems[0]).toMatchObject({ line: 6, column: 1, severity: "error", code: "lowercase" });
    expect(body.problems.every((p: { line: number }) => p.line === 6)).toBe(true);

    const good = await ola.inject({
      method: "POST",
      url: "/api/dnc/validate",
      payload: { machine: "lathe-4", fileName: "O1234.nc", program: GOOD },
    });
    expect(good.json()).toMatchObject({ ok: true, errors: 0, problems: [] });
  });

  it("answers 400 naming each bad field, and 404 for a machine without a DNC line", async () => {
    const { app } = setUp();
    const ola = await loginAs(app, "ola");
    const bad = await ola.inject({
      method: "POST",
      url: "/api/dnc/validate",
      payload: { machine: "lathe-4", fileName: "../etc/passwd", program: 42, extra: true },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe("bad_body");
    expect(
      bad
        .json()
        .issues.map((i: { field: string }) => i.field)
        .sort(),
    ).toEqual(["extra", "fileName", "program"]);

    const unknown = await ola.inject({
      method: "POST",
      url: "/api/dnc/validate",
      payload: { machine: "mill-3", fileName: "a.nc", program: GOOD },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toContain("lathe-4, mill-2");
  });
});

describe("limits", () => {
  it("answers 413 for a program over web.maxProgramBytes, and for an announced body over the route's limit", async () => {
    const { app, checkIns, lathe } = setUp({ maxProgramBytes: 4096 });
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const big = `%\nO1234\n${"G01 X1.\n".repeat(600)}M30\n%\n`;
    const res = await ola.inject(send("lathe-4", big));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: "program_too_large", maxProgramBytes: 4096 });
    expect(res.json().message).toContain("4 KiB");
    expect(res.json().message).toContain("web.maxProgramBytes");

    const huge = JSON.stringify({ machine: "lathe-4", fileName: "a.nc", program: "G".repeat(80_000) });
    const announced = await ola.inject({
      method: "POST",
      url: "/api/dnc/validate",
      payload: huge,
      headers: { "content-type": "application/json" },
    });
    expect(announced.statusCode).toBe(413);
    expect(announced.json().error).toBe("program_too_large");
    expect(lathe.started).toEqual([]);
  });

  it("takes a program of 1 MiB under the default limit", async () => {
    const { app } = setUp();
    const kari = await loginAs(app, "kari");
    const program = `%\nO1234\n${"G01 X1.2345 Z-2.5 F0.2\n".repeat(46_000)}M30\n%\n`;
    expect(program.length).toBeGreaterThan(1024 * 1024);
    const res = await kari.inject({
      method: "POST",
      url: "/api/dnc/validate",
      payload: { machine: "mill-2", fileName: "O1234.nc", program: program.replace("O1234", "O01234") },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().problems[0]?.code).toBe("too-large-for-memory"); // larger than the Haas's 1 MB
  });
});

describe("transfers", () => {
  it("sends nothing when the program does not validate: 400 with the problems by line", async () => {
    const { app, checkIns, lathe } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const res = await ola.inject(send("lathe-4", BROKEN));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "invalid_program", ok: false });
    expect(res.json().problems[0]).toMatchObject({ line: 6, code: "lowercase" });
    expect(lathe.started).toEqual([]);
  });

  it("starts on the machine's own line with the user id, pseudonym and library folder; 409 while it runs", async () => {
    const { app, checkIns, lathe, library } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const res = await ola.inject(send("lathe-4"));
    expect(res.statusCode).toBe(202);
    const { transfer } = res.json();
    expect(transfer).toMatchObject({
      machine: "lathe-4",
      fileName: "O1234.nc",
      mode: "send",
      state: "queued",
    });
    expect(transfer.id).toMatch(/^x-[A-Za-z0-9_-]{16}$/);
    expect(transfer.bytes).toBe(20 + GOOD.length + 20); // leader and trailer NULs on the wire
    expect(res.headers.location).toBe(`/api/dnc/transfers/${transfer.id}`);
    expect(lathe.started[0]).toMatchObject({
      direction: "send",
      program: { text: GOOD, file: "O1234.nc", folder: "trainee/u-trainee-1" },
      ctx: { user: "u-trainee-1", session: "p-1" },
    });
    expect(library.get("trainee/u-trainee-1", "O1234.nc")?.content.toString("latin1")).toBe(GOOD);

    const kari = await loginAs(app, "kari");
    const busy = await kari.inject(send("lathe-4"));
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error).toBe("line_busy");
    expect(lathe.started).toHaveLength(1);

    lathe.finish();
    await lathe.started[0]!.transfer.done;
    expect((await kari.inject(send("lathe-4"))).statusCode).toBe(202);
  });

  it("reports progress: queued, sending with bytes and lines, paused by the machine, done", async () => {
    const { app, checkIns, lathe } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const { transfer } = (await ola.inject(send("lathe-4"))).json();
    const get = async () => (await ola.inject({ url: `/api/dnc/transfers/${transfer.id}` })).json().transfer;
    expect(await get()).toMatchObject({ state: "queued", bytesSent: 0, pausedByMachine: false });
    await new Promise((r) => setImmediate(r));
    lathe.progress(120, 4);
    expect(await get()).toMatchObject({ state: "sending", bytesSent: 120, linesSent: 4, rate: 870 });
    lathe.progress(300, 9, true);
    expect(await get()).toMatchObject({ state: "paused", pausedByMachine: true });
    lathe.finish();
    await lathe.started[0]!.transfer.done;
    const done = await get();
    expect(done).toMatchObject({ state: "done", pausedByMachine: false, bytesSent: transfer.bytes });
    expect(done.endedAt).toBeGreaterThanOrEqual(done.startedAt);
  });

  it("shows a failure with the engine's error code and message", async () => {
    const { app, checkIns, lathe } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const { transfer } = (await ola.inject(send("lathe-4"))).json();
    const { DncError } = await import("../../../src/dnc/errors.ts");
    await new Promise((r) => setImmediate(r));
    lathe.finish(new DncError("no-response", "lathe-4 did not answer: press READ on the control"));
    await lathe.started[0]!.transfer.done;
    const view = (await ola.inject({ url: `/api/dnc/transfers/${transfer.id}` })).json().transfer;
    expect(view).toMatchObject({ state: "failed", errorCode: "no-response" });
    expect(view.error).toContain("press READ");
  });

  it("keeps a trainee out of another trainee's transfer (403) and lets an instructor in", async () => {
    const { app, checkIns } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const { transfer } = (await ola.inject(send("lathe-4"))).json();
    const per = await loginAs(app, "per");
    for (const request of [
      { url: `/api/dnc/transfers/${transfer.id}` },
      { url: `/api/dnc/transfers/${transfer.id}/events` },
      { method: "DELETE" as const, url: `/api/dnc/transfers/${transfer.id}` },
    ]) {
      expect((await per.inject(request)).statusCode).toBe(403);
    }
    const kari = await loginAs(app, "kari");
    expect((await kari.inject({ url: `/api/dnc/transfers/${transfer.id}` })).statusCode).toBe(200);
    expect((await ola.inject({ url: "/api/dnc/transfers/x-nothing" })).statusCode).toBe(404);
  });

  it("cancels: the engine stops, the transfer ends as cancelled, a second cancel is 409", async () => {
    const { app, checkIns, lathe } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const { transfer } = (await ola.inject(send("lathe-4"))).json();
    await new Promise((r) => setImmediate(r));
    lathe.progress(50, 2);
    const res = await ola.inject({ method: "DELETE", url: `/api/dnc/transfers/${transfer.id}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().transfer).toMatchObject({ state: "cancelled", errorCode: "cancelled" });
    expect(lathe.started[0]!.transfer.signal.aborted).toBe(true);
    expect(lathe.busy).toBe(false);
    const again = await ola.inject({ method: "DELETE", url: `/api/dnc/transfers/${transfer.id}` });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe("already_ended");
  });
});

describe("progress stream", () => {
  it("sends progress at most every 250 ms whatever the engine's pace, the latest always, then end", async () => {
    const { app, checkIns, lathe } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const { transfer } = (await ola.inject(send("lathe-4"))).json();
    await new Promise((r) => setImmediate(r));
    const stream = ola.inject({ url: `/api/dnc/transfers/${transfer.id}/events` });
    const started = Date.now();
    for (let i = 1; i < 100; i++) {
      lathe.progress(Math.floor((i * transfer.bytes) / 100), Math.floor((i * transfer.lines) / 100));
      await new Promise((r) => setTimeout(r, 10));
    }
    lathe.finish();
    const res = await stream;
    const elapsed = Date.now() - started;
    expect(res.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    const messages = res.body
      .split("\n\n")
      .filter((m) => m.startsWith("event:"))
      .map((m) => ({ event: m.split("\n")[0]!.slice(7), data: JSON.parse(m.split("\n")[1]!.slice(6)) }));
    const progress = messages.filter((m) => m.event === "progress");
    expect(messages.at(-1)?.event).toBe("end");
    expect(progress[0]?.data).toMatchObject({ id: transfer.id });
    expect(progress.at(-1)?.data).toMatchObject({ state: "done" });
    // One on connect, one at the end, and at most one per 250 ms in between (100 updates were made).
    expect(progress.length).toBeLessThanOrEqual(2 + Math.ceil(elapsed / 250));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const sent = progress.map((m) => m.data.bytesSent as number);
    expect([...sent].sort((a, b) => a - b)).toEqual(sent); // never goes backwards
  });

  it("ends at once for a transfer that has already ended", async () => {
    const { app, checkIns, lathe } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    const { transfer } = (await ola.inject(send("lathe-4"))).json();
    lathe.finish();
    await lathe.started[0]!.transfer.done;
    const res = await ola.inject({ url: `/api/dnc/transfers/${transfer.id}/events` });
    expect(res.body).toContain('"state":"done"');
    expect(res.body.trim().endsWith("event: end\ndata: {}")).toBe(true);
  });
});

describe("history and library", () => {
  it("gives a trainee their own transfers only; staff everyone's, or their own with mine=1", async () => {
    const { app, library, checkIns } = setUp();
    const audit = { direction: "send", bytes: 10, durationMs: 5, result: "ok", startedAt: 1000 } as const;
    library.recordTransfer({ ...audit, machine: "lathe-4", name: "A.nc", user: "u-trainee-1" });
    library.recordTransfer({ ...audit, machine: "mill-2", name: "B.nc", user: "u-trainee-2" });
    library.recordTransfer({
      ...audit,
      machine: "mill-2",
      name: "C.nc",
      user: "u-instructor-1",
      result: "failed",
      error: "no-response: x",
    });
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    await ola.inject(send("lathe-4"));

    const own = (await ola.inject({ url: "/api/dnc/transfers" })).json();
    expect(own.transfers.map((t: { fileName: string }) => t.fileName)).toEqual(["A.nc"]);
    expect(own.running).toEqual([expect.objectContaining({ machine: "lathe-4", state: "queued" })]);
    expect(own.transfers[0]).toMatchObject({
      machine: "lathe-4",
      result: "ok",
      bytes: 10,
      startedAt: 1000,
      endedAt: 1005,
    });

    const kari = await loginAs(app, "kari");
    const all = (await kari.inject({ url: "/api/dnc/transfers" })).json();
    expect(all.transfers.map((t: { fileName: string }) => t.fileName)).toEqual(["C.nc", "B.nc", "A.nc"]);
    expect(all.running).toHaveLength(1);
    const mine = (await kari.inject({ url: "/api/dnc/transfers?mine=1" })).json();
    expect(mine.transfers).toEqual([
      expect.objectContaining({ fileName: "C.nc", result: "failed", error: "no-response: x" }),
    ]);
    expect(mine.running).toEqual([]);
    const byMachine = (await kari.inject({ url: "/api/dnc/transfers?machine=mill-2&limit=1" })).json();
    expect(byMachine.transfers.map((t: { fileName: string }) => t.fileName)).toEqual(["C.nc"]);

    const bad = await kari.inject({ url: "/api/dnc/transfers?limit=0&colour=red" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe("bad_query");
  });

  it("keeps each upload as a version in the user's own library folder", async () => {
    const { app, checkIns, lathe } = setUp();
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await loginAs(app, "ola");
    await ola.inject(send("lathe-4"));
    lathe.finish();
    await lathe.started[0]!.transfer.done;
    await ola.inject(send("lathe-4", GOOD.replace("FLANGE OP1", "FLANGE OP2")));
    const { folder, programs } = (await ola.inject({ url: "/api/dnc/library" })).json();
    expect(folder).toBe("trainee/u-trainee-1");
    expect(programs).toEqual([
      {
        name: "O1234.nc",
        versions: [expect.objectContaining({ source: "upload", programNumber: "O1234" }), expect.anything()],
      },
    ]);
    const per = await loginAs(app, "per");
    expect((await per.inject({ url: "/api/dnc/library" })).json().programs).toEqual([]);

    // Each version reads back as the text that was sent, to load into the editor again.
    const [latest, first] = programs[0].versions as { hash: string }[];
    const read = async (who: typeof ola, hash: string) =>
      who.inject({ url: `/api/dnc/library/${encodeURIComponent("O1234.nc")}/${hash}` });
    const older = await read(ola, first!.hash);
    expect(older.statusCode).toBe(200);
    expect(older.json().version).toMatchObject({ name: "O1234.nc", hash: first!.hash, program: GOOD });
    expect((await read(ola, latest!.hash)).json().version.program).toContain("FLANGE OP2");
    // Only one's own folder: another user asking for the same hash finds nothing.
    const notTheirs = await read(per, first!.hash);
    expect(notTheirs.statusCode).toBe(404);
    expect(notTheirs.json().error).toBe("unknown_version");
    expect((await read(ola, "0000")).statusCode).toBe(404);
    const badName = await ola.inject({ url: "/api/dnc/library/..%2F..%2Fx/abc" });
    expect(badName.statusCode).toBe(404);
  });
});
