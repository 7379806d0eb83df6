// Issue 13 item 6: the OPC UA simulator listens where --host says (127.0.0.1 by
// default), not on every interface. Tests may only talk to loopback, so this
// reads the listening socket's local address from the kernel (ss) instead of
// trying to connect from another address.
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { type OpcuaSimulator, startOpcuaSimulator } from "../../../simulators/opcua/server.ts";
import { tempDir } from "./helpers.ts";

const dir = tempDir("opcua-bind");
const sims: OpcuaSimulator[] = [];

afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  dir.remove();
});

/** Local addresses of the TCP sockets listening on `port` (e.g. ["127.0.0.1:41234"]). */
function listeners(port: number): string[] {
  let out: string;
  try {
    out = execFileSync("ss", ["-Hltn", `sport = :${port}`], { encoding: "utf8" });
  } catch (err) {
    throw new Error(`ss (package iproute2) is needed to read listening sockets: ${(err as Error).message}`);
  }
  // Columns: State Recv-Q Send-Q Local-Address:Port Peer-Address:Port
  return out
    .trim()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.trim().split(/\s+/)[3] ?? "");
}

describe("OPC UA simulator: listening address", () => {
  it("listens on 127.0.0.1 only when no host is given", async () => {
    const sim = await startOpcuaSimulator({
      port: 0,
      plain: true,
      pkiDir: `${dir.path}/pki-default`,
      securityModes: ["None"],
      autoOperator: false,
    });
    sims.push(sim);
    expect(sim.endpoint).toBe(`opc.tcp://127.0.0.1:${sim.port}`);
    expect(listeners(sim.port)).toEqual([`127.0.0.1:${sim.port}`]);
  });
});
