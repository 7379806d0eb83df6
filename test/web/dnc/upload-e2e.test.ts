import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { normaliseEob } from "../../../src/dnc/program/text.ts";
import { waitFor } from "../../dnc/helpers.ts";
import { PASSWORD } from "../support/fake-authenticator.ts";
import { startSimulatedGateway } from "./sim-gateway.ts";

// From the browser's HTTP requests to a simulated control and back, over
// real sockets: the web app on a loopback port, the gateway's DncMachine
// (listening for remote requests, as the gateway runs it) on a TCP line to
// the DNC simulator (a serial device server in TCP mode). The simulator
// must end up holding exactly the program sent; cancel must stop the line.

const PROGRAM = ["%", "O1234 (FLANGE OP1)", "G21 G40 G99", "T0101", "G96 S200 M03", "G00 X130. Z2. M08"]
  .concat(Array.from({ length: 20 }, (_, i) => `G01 X${100 - i}. Z-${i + 1}. F0.2`))
  .concat(["G28 U0. W0. M09", "M30", "%", ""])
  .join("\n");

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const setUp = async (baud: 9600 | 115200) => {
  const gateway = await startSimulatedGateway(baud);
  cleanups.push(() => gateway.close());
  return gateway;
};

/** A logged-in client over real HTTP, like the page: cookie and CSRF token. */
async function client(baseUrl: string, username: string) {
  const res = await fetch(`${baseUrl}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie()[0]!.split(";")[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const headers = { cookie, "x-csrf-token": csrfToken };
  return {
    post: (path: string, body: unknown) =>
      fetch(`${baseUrl}${path}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    get: (path: string) => fetch(`${baseUrl}${path}`, { headers }),
    delete: (path: string) => fetch(`${baseUrl}${path}`, { method: "DELETE", headers }),
  };
}

type Message = { event: string; data: Record<string, unknown> };

/** Read an event stream to its end, calling `onMessage` as messages arrive. */
async function readStream(res: Response, onMessage: (m: Message) => void = () => {}): Promise<Message[]> {
  const messages: Message[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body!) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event !== undefined && data !== undefined) {
        const message = { event, data: JSON.parse(data) as Record<string, unknown> };
        messages.push(message);
        onMessage(message);
      }
      cut = buffer.indexOf("\n\n");
    }
  }
  return messages;
}

describe("upload to a simulated control", () => {
  it("sends a trainee's program over the gateway's own line: the control holds exactly those bytes", async () => {
    const { sim, library, events, checkIns, baseUrl } = await setUp(115200);
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await client(baseUrl, "ola");

    const checked = await ola.post("/api/dnc/validate", {
      machine: "lathe-4",
      fileName: "O1234.nc",
      program: PROGRAM,
    });
    expect(await checked.json()).toMatchObject({ ok: true, problems: [] });

    const started = await ola.post("/api/dnc/transfers", {
      machine: "lathe-4",
      fileName: "O1234.nc",
      program: PROGRAM,
    });
    expect(started.status).toBe(202);
    const { transfer } = (await started.json()) as { transfer: { id: string; bytes: number; lines: number } };
    const messages = await readStream(await ola.get(`/api/dnc/transfers/${transfer.id}/events`));
    expect(messages.at(-1)?.event).toBe("end");
    const last = messages.filter((m) => m.event === "progress").at(-1)!.data;
    expect(last).toMatchObject({ state: "done", bytesSent: transfer.bytes, linesSent: transfer.lines });

    const stored = await sim.waitForProgram();
    expect(stored.text).toBe(normaliseEob(PROGRAM));
    expect(stored.name).toBe("O1234");
    expect(stored.lineErrors).toBe(0);
    // Leader, program and trailer NULs, and nothing more (the trailer may still be on the simulated line).
    await waitFor(() => sim.stats().charsReceived >= transfer.bytes, 3000, "the trailer to arrive");
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.stats().charsReceived).toBe(transfer.bytes);
    expect(sim.stats().overruns).toBe(0);

    const checksum = createHash("sha256").update(PROGRAM, "latin1").digest("hex");
    expect(events).toEqual([
      expect.objectContaining({
        type: "program.transfer",
        machine: "lathe-4",
        direction: "send",
        file: "O1234.nc",
        checksum,
        bytes: PROGRAM.length,
        result: "ok",
        session: "p-1",
      }),
    ]);
    expect(library.transfers()).toEqual([
      expect.objectContaining({
        user: "u-trainee-1",
        session: "p-1",
        folder: "trainee/u-trainee-1",
        hash: checksum,
        result: "ok",
      }),
    ]);
    const history = (await (await ola.get("/api/dnc/transfers?mine=1")).json()) as { transfers: unknown[] };
    expect(history.transfers).toEqual([
      expect.objectContaining({ machine: "lathe-4", fileName: "O1234.nc", result: "ok" }),
    ]);
  });

  it("cancel stops the transfer on the line; the control gets no complete program, and the line is free again", async () => {
    const { sim, library, events, checkIns, baseUrl } = await setUp(9600);
    checkIns.checkIn("u-trainee-1", "lathe-4");
    const ola = await client(baseUrl, "ola");
    // About 9 KB: some 9 s at 9600 baud, so there is time to cancel it.
    const long = ["%", "O2000 (LONG)"]
      .concat(Array.from({ length: 400 }, (_, i) => `N${i + 10} G01 X${i}.5 F0.2`))
      .concat(["M30", "%", ""])
      .join("\n");
    const started = await ola.post("/api/dnc/transfers", {
      machine: "lathe-4",
      fileName: "O2000.nc",
      program: long,
    });
    expect(started.status).toBe(202);
    const { transfer } = (await started.json()) as { transfer: { id: string; bytes: number } };

    let cancelled: Promise<Response> | undefined;
    const messages = await readStream(await ola.get(`/api/dnc/transfers/${transfer.id}/events`), (m) => {
      if (m.event === "progress" && (m.data.bytesSent as number) > 500)
        cancelled ??= ola.delete(`/api/dnc/transfers/${transfer.id}`);
    });
    const answer = await cancelled!;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { transfer: { state: string } }).transfer.state).toBe("cancelled");
    const last = messages.filter((m) => m.event === "progress").at(-1)!.data;
    expect(last).toMatchObject({ state: "cancelled", errorCode: "cancelled" });
    expect(last.bytesSent as number).toBeLessThan(transfer.bytes / 2);

    await new Promise((r) => setTimeout(r, 300)); // anything still in flight has arrived
    const received = sim.stats().charsReceived;
    expect(received).toBeGreaterThan(500);
    expect(received).toBeLessThan(transfer.bytes / 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.stats().charsReceived).toBe(received); // nothing more after the cancel
    expect(sim.received().filter((p) => p.name === "O2000" && p.text === normaliseEob(long))).toEqual([]);
    expect(events.at(-1)).toMatchObject({ result: "cancelled", file: "O2000.nc" });
    expect(library.transfers()[0]).toMatchObject({ result: "cancelled", user: "u-trainee-1" });

    // The line is free: the next program goes through.
    sim.reset();
    const again = await ola.post("/api/dnc/transfers", {
      machine: "lathe-4",
      fileName: "O1234.nc",
      program: PROGRAM,
    });
    expect(again.status).toBe(202);
    const next = (await again.json()) as { transfer: { id: string } };
    await readStream(await ola.get(`/api/dnc/transfers/${next.transfer.id}/events`));
    expect(sim.received().some((p) => p.text === normaliseEob(PROGRAM))).toBe(true);
  }, 30_000);
});
