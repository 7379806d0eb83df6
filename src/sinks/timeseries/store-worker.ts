import { parentPort, workerData } from "node:worker_threads";
import { StoreEngine } from "./store-engine.ts";
import type { StoreReply, StoreRequest, StoreWorkerData } from "./store-protocol.ts";

// The embedded store's thread: owns the SQLite connection, applies the
// messages from EmbeddedTimeseries in order, reports stats and log lines back
// (the gateway's pino logger lives on the main thread).

const port = parentPort;
if (!port) throw new Error("store-worker.ts runs as a worker thread (see embedded-timeseries.ts)");
const data = workerData as StoreWorkerData;
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
