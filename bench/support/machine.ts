// What the figures depend on besides our code: the machine is shared with
// other jobs, so every report starts with the context it was measured in,
// and CPU time (which a busy neighbour hardly changes) is reported beside
// wall-clock rates.
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

export type MachineContext = {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  /** 1, 5 and 15 minute load averages at the start. */
  load: [number, number, number];
  /** % of the last 10 s / 60 s in which some runnable task waited for a CPU (Linux PSI); undefined elsewhere. */
  cpuPressure: { avg10: number; avg60: number } | undefined;
};

function cpuPressure(): MachineContext["cpuPressure"] {
  try {
    const some = readFileSync("/proc/pressure/cpu", "latin1").split("\n")[0] ?? "";
    const avg10 = Number(/avg10=([\d.]+)/.exec(some)?.[1]);
    const avg60 = Number(/avg60=([\d.]+)/.exec(some)?.[1]);
    return Number.isFinite(avg10) && Number.isFinite(avg60) ? { avg10, avg60 } : undefined;
  } catch {
    return undefined;
  }
}

export function machineContext(): MachineContext {
  const list = cpus();
  const [l1, l5, l15] = loadavg() as [number, number, number];
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    node: process.versions.node,
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    load: [l1, l5, l15],
    cpuPressure: cpuPressure(),
  };
}

export function describeMachine(m: MachineContext): string {
  const pressure = m.cpuPressure
    ? `, CPU pressure ${m.cpuPressure.avg10.toFixed(0)}% / ${m.cpuPressure.avg60.toFixed(0)}% (10/60 s)`
    : "";
  return (
    `${m.date}  Node ${m.node}  ${m.cpu} × ${m.cores} cores  ` +
    `load average ${m.load.map((l) => l.toFixed(2)).join(" / ")} (1/5/15 min)${pressure}`
  );
}

/** Load average right now (1 min), to show whether neighbours got busier during the run. */
export function loadNow(): number {
  return loadavg()[0] ?? Number.NaN;
}

/**
 * CPU time of the calling thread (µs), so a worker's subscriber does not
 * count towards the gateway thread's cost.
 */
export class ThreadCpuMeter {
  #start = process.threadCpuUsage();

  restart(): void {
    this.#start = process.threadCpuUsage();
  }

  /** User + system µs since construction or restart(). */
  elapsedUs(): number {
    const used = process.threadCpuUsage(this.#start);
    return used.user + used.system;
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

type ProcStat = { pid: number; ppid: number; command: string; cpuUs: number };

/**
 * µs the task waited in the run queue for a CPU so far (Linux schedstat): the
 * direct measure of "a neighbour had the CPU". NaN when unavailable.
 */
function runQueueWaitUs(path: string): number {
  try {
    const fields = readFileSync(path, "latin1").split(" ");
    return Number(fields[1]) / 1000;
  } catch {
    return Number.NaN;
  }
}

/** Run-queue wait (µs) of the calling process's main thread, e.g. the gateway's event loop. */
export function mainThreadRunQueueWaitUs(): number {
  return runQueueWaitUs(`/proc/self/task/${process.pid}/schedstat`);
}

/**
 * Run-queue wait (µs) of this process's threads called `name` — a worker
 * started with `new Worker(file, { name })` carries it as its thread name
 * (first 15 characters). NaN when there is none.
 */
export function namedThreadRunQueueWaitUs(name: string): number {
  const comm = name.slice(0, 15);
  let total = Number.NaN;
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return Number.NaN;
  }
  for (const tid of tasks) {
    let taskComm: string;
    try {
      taskComm = readFileSync(`/proc/self/task/${tid}/comm`, "latin1").trim();
    } catch {
      continue;
    }
    if (taskComm !== comm) continue;
    total = (Number.isNaN(total) ? 0 : total) + runQueueWaitUs(`/proc/self/task/${tid}/schedstat`);
  }
  return total;
}

function readProcStats(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid … utime(14) stime(15); comm may hold spaces, so split after the last ")".
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    out.push({
      pid: Number(entry),
      ppid: Number(fields[1]),
      command: stat.slice(stat.indexOf("(") + 1, close),
      cpuUs: ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND,
    });
  }
  return out;
}

/**
 * CPU µs used so far by the processes called `command` that descend from this
 * one (e.g. the Mosquitto a bench started, which test/support/mosquitto.ts
 * runs under a small watchdog shell), read from /proc; NaN when there is
 * none (or no /proc). Resolution: 10 ms.
 */
export function descendantCpuUs(command: string): number {
  let total = Number.NaN;
  for (const p of descendants(command)) total = (Number.isNaN(total) ? 0 : total) + p.cpuUs;
  return total;
}

/** Run-queue wait (µs) of the descendants called `command` (their main threads); NaN when none. */
export function descendantRunQueueWaitUs(command: string): number {
  let total = Number.NaN;
  for (const p of descendants(command)) {
    total = (Number.isNaN(total) ? 0 : total) + runQueueWaitUs(`/proc/${p.pid}/schedstat`);
  }
  return total;
}

function descendants(command: string): ProcStat[] {
  const stats = readProcStats();
  const ours = new Set([process.pid]);
  // Parents usually have lower pids, but not always: repeat until nothing new joins.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of stats) {
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  return stats.filter((p) => p.pid !== process.pid && ours.has(p.pid) && p.command === command);
}
