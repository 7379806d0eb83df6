// Child process for the SIGKILL test: appends numbered batches to an outbox
// as fast as it can and reports each one on stdout once append() returned.
// The parent kills it with SIGKILL at an arbitrary moment.
import { pino } from "pino";
import { DurableOutbox } from "../../../src/sinks/outbox/durable-outbox.ts";

const [path, startArg] = process.argv.slice(2);
const outbox = new DurableOutbox({
  path: path!,
  name: "crash",
  maxBytes: 1e9,
  whenFull: "pause",
  log: pino({ level: "silent" }),
  segmentBytes: 256 * 1024,
});
outbox.open();
let n = Number(startArg ?? 1);
const tick = (): void => {
  for (let i = 0; i < 50; i++, n++) {
    // Bodies of varying size so records straddle read chunks and segment ends.
    outbox.append(`batch ${n} ${"x".repeat(n % 3000)}`, 1, n);
    process.stdout.write(`${n}\n`);
  }
  setImmediate(tick);
};
tick();
