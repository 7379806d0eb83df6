import { pino } from "pino";
import {
  type DncSimulator,
  type DncSimulatorOptions,
  startDncSimulator,
} from "../../../simulators/dnc/server.ts";
import type { ProgramTransferEvent } from "../../../src/core/events.ts";
import { dncConfigSchema } from "../../../src/dnc/config.ts";
import { DncMachine } from "../../../src/dnc/engine/dnc-machine.ts";
import type { ProgramLibrary } from "../../../src/dnc/library/library.ts";
import { dncApi } from "../../../src/web/api/dnc/index.ts";
import { FakeAuthenticator } from "../support/fake-authenticator.ts";
import { FakeFleet } from "../support/fake-fleet.ts";
import { serve } from "../support/serve.ts";
import { FakeCheckIns, tempLibrary } from "./harness.ts";

export type SimulatedGateway = {
  sim: DncSimulator;
  machine: DncMachine;
  library: ProgramLibrary;
  events: ProgramTransferEvent[];
  checkIns: FakeCheckIns;
  baseUrl: string;
  close(): Promise<void>;
};

/**
 * The gateway's DNC side as it runs: a DncMachine for "lathe-4" listening
 * on its line (remote requests), here a TCP line to the DNC simulator (a
 * device server in TCP mode, 8N1 at `baud`), and the web app with the DNC
 * routes on a loopback port. The check-ins are the test's to set; `control`
 * slows the simulated control down (a slow store makes it say XOFF).
 */
export async function startSimulatedGateway(
  baud: 9600 | 115200,
  control: Pick<DncSimulatorOptions, "storeCharsPerSecond" | "bufferBytes"> = {},
): Promise<SimulatedGateway> {
  const line = { baud, dataBits: 8, parity: "none", stopBits: 1 } as const;
  const sim = await startDncSimulator({ profile: "fanuc", overrides: { line }, tcpPort: 0, ...control });
  const { library, close } = tempLibrary();
  const events: ProgramTransferEvent[] = [];
  const machine = new DncMachine({
    machine: "lathe-4",
    config: dncConfigSchema.parse({
      transport: "tcp",
      host: "127.0.0.1",
      port: sim.port,
      profile: "fanuc",
      ...line,
    }),
    library,
    log: pino({ level: "silent" }),
    onEvent: (e) => events.push(e),
  });
  machine.startListening(); // the gateway keeps the line open; a web transfer must borrow it
  const checkIns = new FakeCheckIns();
  const served = await serve(
    new FakeFleet().deps({
      auth: { authenticator: new FakeAuthenticator() },
      apiRoutes: [
        dncApi({
          lines: () => [
            { id: "lathe-4", name: "Old Fanuc lathe", kind: "lathe", transport: "tcp", line: machine },
          ],
          library,
          checkIns,
          timeZone: "Europe/Oslo",
          log: pino({ level: "silent" }),
        }),
      ],
    }),
  );
  return {
    sim,
    machine,
    library,
    events,
    checkIns,
    baseUrl: served.baseUrl,
    async close() {
      await served.close();
      await machine.stop();
      await sim.close();
      close();
    },
  };
}
