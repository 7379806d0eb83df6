// Child process for the shared-log SIGKILL test: appends numbered pipeline
// batches for two sinks, one shared-log batch each (like the gateway's
// dispatch), and reports each one on stdout once its batch was written. Every
// 7th batch has no section for "influx" (a tick with nothing to store). The
// parent kills it with SIGKILL at an arbitrary moment.
//
//   crash-writer-shared.ts <path> <first seq> [loop | die-mid-batch]
import { pino } from "pino";
import { SharedOutbox } from "../../../src/sinks/outbox/shared-outbox.ts";

const [path, startArg, mode = "loop"] = process.argv.slice(2);
const outbox = new SharedOutbox({
  path: path!,
  sinks: ["mqtt", "influx"],
  maxBytes: 1e9,
  whenFull: "pause",
  log: pino({ level: "silent" }),
  segmentBytes: 64 * 1024,
});
outbox.open();
const mqtt = outbox.sink("mqtt");
const influx = outbox.sink("influx");

function appendBatch(n: number): void {
  mqtt.append(`m ${n} ${"x".repeat(n % 2000)}`, 1, n);
  if (n % 7 !== 0) influx.append(`i ${n} ${"y".repeat((n * 13) % 1500)}`, 2, n);
}

let n = Number(startArg ?? 1);
if (mode === "die-mid-batch") {
  // Both sections are handed over, then the process dies before the batch is written.
  outbox.batch(() => {
    appendBatch(n);
    process.kill(process.pid, "SIGKILL");
  });
}
const tick = (): void => {
  for (let i = 0; i < 50; i++, n++) {
    outbox.batch(() => appendBatch(n));
    process.stdout.write(`${n}\n`);
  }
  setImmediate(tick);
};
tick();
