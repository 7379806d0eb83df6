// A Mosquitto that can be taken down for a while and brought back on the same
// port with its persistent sessions: stop() is a graceful SIGTERM (Mosquitto
// writes its persistence file on the way out), start() launches it again.
// test/support/mosquitto.ts restarts at once; an outage needs the gap.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MOSQUITTO_BIN } from "../../support/mosquitto.ts";
import { freePort } from "../../support/ports.ts";

// The same watchdog as test/support/mosquitto.ts: the broker dies with the test process.
const WATCHDOG =
  'exec 3<&0; "$0" -c "$1" </dev/null & pid=$!; echo "$pid"; (cat <&3 >/dev/null; kill -9 "$pid" 2>/dev/null) & wait "$pid"';

export type OutageBroker = {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
};

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export async function startOutageBroker(extraConfig: string[] = []): Promise<OutageBroker> {
  const dir = await mkdtemp(join(tmpdir(), "maskinport-outage-broker-"));
  const port = await freePort();
  const configFile = join(dir, "mosquitto.conf");
  await writeFile(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence true",
      `persistence_location ${dir}/`,
      "autosave_interval 1",
      process.getuid?.() === 0 ? "user root" : "",
      "log_dest stderr",
      "log_type error",
      ...extraConfig,
      "",
    ].join("\n"),
  );
  let child: { proc: ChildProcess; pid: number } | undefined;
  const start = async (): Promise<void> => {
    const proc = spawn("/bin/sh", ["-c", WATCHDOG, MOSQUITTO_BIN, configFile], {
      stdio: ["pipe", "pipe", "ignore"],
    });
    proc.once("exit", () => proc.stdin?.end());
    const pid = await new Promise<number>((resolve) =>
      proc.stdout?.once("data", (c: Buffer) => resolve(Number.parseInt(c.toString(), 10))),
    );
    child = { proc, pid };
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`mosquitto did not come up on 127.0.0.1:${port}`);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.proc.exitCode !== null) return;
    const exited = new Promise((r) => c.proc.once("exit", r));
    process.kill(c.pid, "SIGTERM");
    await exited;
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop,
    start,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
