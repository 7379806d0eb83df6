import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

// One gateway per outbox folder: two processes appending to the same segments
// would interleave records and deliver each other's data. A lock file holds
// the owner's pid; a lock left by a process that no longer runs (SIGKILL,
// power cut) is taken over.

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// Folders locked by this process (the pid in the file cannot tell two of our own outboxes apart).
const ours = new Set<string>();

/** Take the lock or throw an Error naming the other process. Returns the release function. */
export function lockFolder(lockPath: string, what: string): () => void {
  const mine = String(process.pid);
  const key = resolve(lockPath);
  if (ours.has(key)) {
    throw new Error(
      `${what} is in use by another outbox in this process: give each gateway its own outbox.path`,
    );
  }
  try {
    writeFileSync(lockPath, mine, { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const owner = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
      throw new Error(
        `${what} is in use by another process (pid ${owner}): is a second gateway running with the same outbox.path? Stop it or give each gateway its own outbox.path`,
      );
    }
    writeFileSync(lockPath, mine); // stale: its owner is gone
  }
  ours.add(key);
  return () => {
    ours.delete(key);
    try {
      if (readFileSync(lockPath, "utf8") === mine) unlinkSync(lockPath);
    } catch {
      // already gone
    }
  };
}
