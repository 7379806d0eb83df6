import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { StoreEngine } from "./store-engine.ts";
import {
  STORE_THREAD_NICE,
  type StoreReply,
  type StoreRequest,
  type StoreWorkerData,
} from "./store-protocol.ts";

// The embedded store's thread: owns the SQLite connection, applies the
// messages from EmbeddedTimeseries in order, reports stats and log lines back
// (the gateway's pino logger lives on the main thread).

const port = parentPort;
if (!port) throw new Error("store-worker.ts runs as a worker thread (see embedded-timeseries.ts)");
const data = workerData as StoreWorkerData;

// The store can wait; the live path (adapters → pipeline → MQTT on the main
// thread, and the broker) cannot. On a 2-core shop PC a 5-second commit is
// ~200 ms of CPU at 20k changes/s; at nice 10 this thread gives way to them
// instead of adding that to their latency. Linux applies setpriority to a
// single thread when given its thread id (/proc/thread-self names it);
// elsewhere the thread keeps the normal priority.
try {
  const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, STORE_THREAD_NICE);
} catch {
  // not Linux, or not allowed: normal priority
}
const post = (m: StoreReply) => port.postMessage(m);

const engine = new StoreEngine({
  ...data,
  log: (level, fields, msg) => post({ type: "log", level, fields, msg }),
});

function errorOf(err: unknown): { name: string; message: string } {
  return err instanceof Error
    ? { name: err.name, message: err.message }
    : { name: "Error", message: String(err) };
}

let lastSeq: number;
try {
  ({ lastSeq } = engine.open());
} catch (err) {
  post({ type: "fatal", message: errorOf(err).message });
  port.close();
  process.exit(0);
}

// Writes the last commit into the file once commits stop coming.
const checkpointTimer = setInterval(
  () => engine.checkpointIfDue(),
  Math.min(1000, data.checkpointIntervalMs),
);
const retentionTimer =
  data.retentionDays > 0
    ? setInterval(() => void engine.applyRetention(), data.retentionIntervalMs)
    : undefined;
if (data.retentionDays > 0) void engine.applyRetention();

port.on("message", async (m: StoreRequest) => {
  switch (m.type) {
    case "rows":
      engine.add(m.batch);
      if (m.commit) engine.commit();
      post({ type: "stats", stats: engine.stats });
      return;
    case "flush":
      engine.commit();
      post({ type: "reply", id: m.id, stats: engine.stats });
      return;
    case "query":
      try {
        post({ type: "reply", id: m.id, stats: engine.stats, value: engine.query(m.query) });
      } catch (err) {
        post({ type: "reply", id: m.id, stats: engine.stats, error: errorOf(err) });
      }
      return;
    case "retention": {
      const deleted = await engine.applyRetention();
      post({ type: "reply", id: m.id, stats: engine.stats, value: deleted });
      return;
    }
    case "stop":
      clearInterval(checkpointTimer);
      clearInterval(retentionTimer);
      engine.close();
      post({ type: "reply", id: m.id, stats: engine.stats });
      port.close();
      return;
  }
});

post({ type: "ready", lastSeq });
