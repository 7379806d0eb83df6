import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Two connected pseudo-terminals: bytes written to one end come out of the other. */
export type PtyPair = {
  /** Path of one end (a symlink to /dev/pts/N). */
  a: string;
  /** Path of the other end. */
  b: string;
  /** Stop socat and remove the links. To the ports this looks like a pulled cable. */
  close(): Promise<void>;
};

const SOCAT_MISSING =
  "socat is not installed, so no pseudo-terminal pair can be made for the serial DNC line: apt-get install socat; npm test installs it";

/**
 * Start `socat pty,raw,echo=0,link=<tmp>/a pty,raw,echo=0,link=<tmp>/b` and
 * wait until both links exist. `raw,echo=0` matters: without it the line
 * discipline would echo, translate CR/LF and act on control characters, and a
 * DNC line must pass every byte (DC1/DC3, NUL, high bits) through unchanged.
 * A pty applies no baud rate and no parity: whoever needs those emulates them.
 */
export async function createPtyPair(
  opts: { dir?: string; timeoutMs?: number; socat?: string } = {},
): Promise<PtyPair> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), "maskinport-pty-")));
  const a = join(dir, "a");
  const b = join(dir, "b");
  const child = spawn(
    opts.socat ?? "socat",
    ["-d", "-d", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    // Keep only the start of socat's chatter: enough for an error message.
    if (stderr.length < 4000) stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once("error", (error) => resolve({ code: null, error }));
    child.once("exit", (code) => resolve({ code }));
  });

  // A process that exits without close() (process.exit, a crash) must not leave socat behind.
  const killOnExit = () => {
    child.kill("SIGTERM");
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", killOnExit);
  const cleanup = async () => {
    process.off("exit", killOnExit);
    await stopChild(child, exited);
    if (!opts.dir) await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  let early: { code: number | null; error?: Error } | undefined;
  void exited.then((r) => {
    early = r;
  });
  // socat creates the links before it logs "starting data transfer loop"; both
  // must exist before anyone opens them.
  while (!(existsSync(a) && existsSync(b) && stderr.includes("starting data transfer loop"))) {
    if (early) {
      await cleanup();
      if ((early.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT")
        throw new Error(SOCAT_MISSING);
      throw new Error(`socat exited (code ${early.code}) before the pty pair was ready: ${stderr.trim()}`);
    }
    if (Date.now() > deadline) {
      await cleanup();
      throw new Error(
        `socat did not create the pty pair within ${opts.timeoutMs ?? 5000} ms: ${stderr.trim()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  let closed: Promise<void> | undefined;
  return {
    a,
    b,
    close: () => {
      closed ??= cleanup();
      return closed;
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(timer);
  } else {
    await exited;
  }
}
