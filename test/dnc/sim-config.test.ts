import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { dncSimulatorConfigSchema } from "../../simulators/dnc/config.ts";
import { startDncSimulatorFromConfig } from "../../simulators/dnc/start.ts";
import { silent } from "./helpers.ts";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("simulators: - { type: dnc, … }", () => {
  it("validates and starts a TCP control with the configured line", async () => {
    const port = await freePort();
    const cfg = dncSimulatorConfigSchema.parse({ type: "dnc", port, profile: "haas", baud: 19200 });
    expect(cfg).toMatchObject({ transport: "tcp", host: "127.0.0.1", port });
    const sim = await startDncSimulatorFromConfig(cfg, silent);
    try {
      expect(sim.port).toBe(port);
      expect(sim.profile.line).toEqual({ baud: 19200, dataBits: 7, parity: "even", stopBits: 1 });
    } finally {
      await sim.close();
    }
  });

  it("says what is missing", () => {
    const r = dncSimulatorConfigSchema.safeParse({ type: "dnc", transport: "pty" });
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "link: transport pty needs link, e.g. /tmp/maskinport-mill-3",
    ]);
  });
});
