import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startDncSimulator } from "../../simulators/dnc/server.ts";
import { dncConfigSchema } from "../../src/dnc/config.ts";
import { DncMachine } from "../../src/dnc/engine/dnc-machine.ts";
import { resolveProfile } from "../../src/dnc/profiles/index.ts";
import { openDncPort } from "../../src/dnc/transport/open.ts";
import { createPtyPair } from "../support/pty.ts";
import { longFanucProgram, sampleProgram } from "./fixtures.ts";
import { gatewayFor, LINE_8N1_115200, silent, waitFor } from "./helpers.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const fanuc = resolveProfile("fanuc");

describe("opening the line", () => {
  it("says the serial port is missing", async () => {
    await expect(
      openDncPort({
        endpoint: { transport: "serial", path: "/tmp/maskinport-no-such-tty" },
        line: fanuc.line,
        flowControl: "xonxoff",
      }),
    ).rejects.toMatchObject({
      code: "port-missing",
      message: expect.stringMatching(
        /serial port \/tmp\/maskinport-no-such-tty does not exist: check the USB adapter/,
      ),
    });
  });

  it("says the serial port is busy when another program has it", async () => {
    const pair = await createPtyPair();
    cleanups.push(() => pair.close());
    const first = await openDncPort({
      endpoint: { transport: "serial", path: pair.b },
      line: fanuc.line,
      flowControl: "xonxoff",
    });
    cleanups.push(() => first.close());
    await expect(
      openDncPort({
        endpoint: { transport: "serial", path: pair.b },
        line: fanuc.line,
        flowControl: "xonxoff",
      }),
    ).rejects.toMatchObject({
      code: "port-busy",
      message: expect.stringMatching(/is in use by another program/),
    });
  });

  it("says the device server refused, or did not answer", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    await expect(
      openDncPort({
        endpoint: { transport: "tcp", host: "127.0.0.1", port },
        line: fanuc.line,
        flowControl: "xonxoff",
      }),
    ).rejects.toMatchObject({
      code: "connection-refused",
      message: expect.stringMatching(/"TCP server" mode/),
    });
  });
});

/** A Fanuc DNC machine on one end of a fresh pty pair, the gateway side on the other. */
async function fanucOverPty() {
  const pair = await createPtyPair();
  const sim = await startDncSimulator({ profile: "fanuc", serialPath: pair.a });
  cleanups.push(async () => {
    await sim.close();
    await pair.close();
  });
  const gw = gatewayFor(sim, { ptyPath: pair.b });
  cleanups.push(() => gw.close());
  return { pair, sim, gw };
}

describe("a transfer that goes wrong", () => {
  it("cable pulled mid-send over a pty: failed, audited, with the bytes that went", async () => {
    const { pair, gw } = await fanucOverPty();
    const t = gw.machine.send({ text: longFanucProgram(3000), file: "O4321.nc" });
    await waitFor(() => (t.last?.bytesDone ?? 0) > 300, 5000, "300 bytes sent");
    await pair.close();
    const outcome = await t.done;
    expect(outcome.result).toBe("failed");
    expect(outcome.error?.code).toBe("cable-pulled");
    expect(outcome.error?.message).toMatch(/disconnected|closed|write failed/);
    expect(outcome.bytes).toBeGreaterThan(300);
    expect(gw.events[0]).toMatchObject({ result: "failed", error: expect.stringMatching(/^cable-pulled: /) });
    expect(gw.library.transfers()[0]).toMatchObject({ result: "failed", direction: "send" });
  });

  it("cable pulled mid-drip over TCP: failed and resumable from a line", async () => {
    const sim = await startDncSimulator({
      profile: "fanuc",
      overrides: { line: LINE_8N1_115200 },
      tcpPort: 0,
      mode: "drip",
      dripBlocksPerSecond: 400,
    });
    cleanups.push(() => sim.close());
    const gw = gatewayFor(sim);
    cleanups.push(() => gw.close());
    const text = longFanucProgram(4000);
    const t = gw.machine.drip({ text, file: "O4321.nc" });
    await waitFor(() => sim.stats().blocksExecuted >= 30, 5000, "30 blocks executed");
    sim.disconnect();
    const outcome = await t.done;
    expect(outcome.result).toBe("failed");
    expect(outcome.error?.code).toBe("cable-pulled");
    expect(outcome.error?.message).toMatch(/connection to 127\.0\.0\.1:\d+ was lost/);
    // Resume no later than the block the machine was about to execute.
    expect(outcome.resumeFromLine).toBeGreaterThan(20);
    expect(outcome.resumeFromLine).toBeLessThanOrEqual(sim.stats().blocksExecuted + 8);
    // The operator resets the control; resuming from that line completes the program.
    sim.reset();
    const from = outcome.resumeFromLine!;
    const resumed = await gw.machine.drip({ text, file: "O4321.nc" }, { fromLine: from }).done;
    expect(resumed.result).toBe("ok");
    const tail = await sim.waitForProgram();
    expect(tail.text).toBe(
      `%\n${text
        .split("\n")
        .slice(from - 1)
        .join("\n")}`,
    );
  });

  it("cancel stops a send and is audited as cancelled", async () => {
    const { gw } = await fanucOverPty();
    const t = gw.machine.send({ text: longFanucProgram(3000), file: "O4321.nc" });
    await waitFor(() => (t.last?.bytesDone ?? 0) > 100, 5000, "100 bytes sent");
    t.cancel();
    const outcome = await t.done;
    expect(outcome).toMatchObject({ result: "cancelled", error: { code: "cancelled" } });
    expect(gw.library.transfers()[0]?.result).toBe("cancelled");
  });

  it("no response: the machine punches nothing", async () => {
    const sim = await startDncSimulator({
      profile: "fanuc",
      overrides: { line: LINE_8N1_115200 },
      tcpPort: 0,
    });
    cleanups.push(() => sim.close());
    const gw = gatewayFor(sim, { receiveStartTimeoutMs: 300 });
    cleanups.push(() => gw.close());
    const outcome = await gw.machine.receive().done;
    expect(outcome.error).toMatchObject({
      code: "no-response",
      message: expect.stringMatching(
        /nothing received from the machine within 0.3 s: start the output on the control/,
      ),
    });
  });

  it("one transfer at a time per machine", async () => {
    const sim = await startDncSimulator({
      profile: "fanuc",
      overrides: { line: LINE_8N1_115200 },
      tcpPort: 0,
    });
    cleanups.push(() => sim.close());
    const gw = gatewayFor(sim, { receiveStartTimeoutMs: 500 });
    cleanups.push(() => gw.close());
    const first = gw.machine.receive();
    const second = gw.machine.send({ text: sampleProgram("fanuc-O1234.nc"), file: "O1234.nc" });
    expect((await second.done).error).toMatchObject({
      code: "port-busy",
      message: expect.stringMatching(/lathe-4 is busy/),
    });
    await first.done;
  });

  it("a missing port fails the transfer with the fix in the message", async () => {
    const config = dncConfigSchema.parse({
      transport: "serial",
      path: "/dev/ttyUSB-maskinport-test",
      profile: "fanuc",
    });
    const machine = new DncMachine({ machine: "lathe-9", config, log: silent });
    const outcome = await machine.send({ text: sampleProgram("fanuc-O1234.nc"), file: "O1234.nc" }).done;
    expect(outcome.error).toMatchObject({ code: "port-missing" });
  });
});

describe("what the OS says, in a technician's words", () => {
  it("maps permission, busy and missing errors from the serial driver", async () => {
    const { serialOpenError } = await import("../../src/dnc/transport/serial.ts");
    const eacces = Object.assign(new Error("Error: Permission denied, cannot open /dev/ttyS0"), {
      code: "EACCES",
    });
    expect(serialOpenError("/dev/ttyS0", eacces)).toMatchObject({
      code: "permission-denied",
      message: expect.stringMatching(/add the gateway's user to the 'dialout' group/),
    });
    expect(
      serialOpenError("/dev/ttyS0", new Error("Error Resource temporarily unavailable Cannot lock port")),
    ).toMatchObject({
      code: "port-busy",
    });
    expect(
      serialOpenError("/dev/ttyS0", new Error("Error: No such file or directory, cannot open /dev/ttyS0")),
    ).toMatchObject({
      code: "port-missing",
    });
    expect(serialOpenError("/dev/ttyS0", new Error("Error: Input/output error"))).toMatchObject({
      code: "port-error",
    });
  });
});
