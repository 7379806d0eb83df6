import { type ChildProcess, spawn } from "node:child_process";

// A real server (mosquitto, influxd) started for tests. It runs under a small
// shell watchdog that holds our stdin pipe: when this process goes away in any
// way (even a vitest worker killed on a timeout) the pipe closes, `cat`
// returns and the server is killed. No orphan servers on a machine shared with
// other test runs. The shell prints the server's pid and exits when it does.
// ($0 = binary, $1 = its config flag, $2 = config file.)
const WATCHDOG =
  'exec 3<&0; "$0" "$1" "$2" </dev/null & pid=$!; echo "$pid"; (cat <&3 >/dev/null; kill -9 "$pid" 2>/dev/null) & wait "$pid"';

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const proc of running) proc.stdin?.destroy();
});

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export type ServiceSpec = {
  /** For messages: "mosquitto", "influxd". */
  name: string;
  bin: string;
  configFlag: string;
  configFile: string;
  /** Resolves true once the server serves (polled until readyMs). */
  ready(): Promise<boolean>;
  readyMs: number;
  /** "accept connections on 127.0.0.1:1883", "answer http://…/ping": for the timeout message. */
  readyMeans: string;
};

/** One server process that can be launched, stopped (gracefully or not) and launched again. */
export class ServiceProcess {
  private child: { proc: ChildProcess; pid: number } | undefined;
  private output = "";
  private readonly spec: ServiceSpec;

  constructor(spec: ServiceSpec) {
    this.spec = spec;
  }

  /** Start and wait until ready; a server that never gets ready is killed and named in the error. */
  async launch(): Promise<void> {
    const { spec } = this;
    this.output = "";
    const proc = spawn("/bin/sh", ["-c", WATCHDOG, spec.bin, spec.configFlag, spec.configFile], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    running.add(proc);
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    proc.stderr?.on("data", keep);
    let exited = false;
    proc.once("exit", () => {
      exited = true;
      running.delete(proc);
      proc.stdin?.end(); // lets the watchdog go
    });
    const pid = await new Promise<number>((resolve) =>
      proc.stdout?.once("data", (chunk: Buffer) => resolve(Number.parseInt(chunk.toString(), 10))),
    );
    proc.stdout?.on("data", keep);
    this.child = { proc, pid };
    const deadline = Date.now() + spec.readyMs;
    while (Date.now() < deadline && !exited) {
      if (await spec.ready()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    signal(pid, "SIGKILL");
    throw new Error(
      `${spec.name} did not ${spec.readyMeans} within ${spec.readyMs} ms${exited ? " (it exited)" : ""}: ${this.output.trim() || "no output"}`,
    );
  }

  /** Send `sig` and wait for the process to exit. */
  async terminate(sig: NodeJS.Signals): Promise<void> {
    const current = this.child;
    this.child = undefined;
    if (!current) return;
    const { proc, pid } = current;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    signal(pid, sig);
    await exited;
  }

  /** SIGKILL without waiting (clients see their sockets die at once). */
  killNow(): void {
    if (this.child) signal(this.child.pid, "SIGKILL");
  }
}
