// A small SHDR feeder for the fleet-wall bench: one machine per given TCP
// port, each changing 10 signals once a second — one signal
// every 100 ms, the machines' ticks spread over the 100 ms. The model
// simulators (simulators/shdr) change signals at whatever rate a machining
// cycle gives; the bench needs a known rate.
//
//   node bench/web/shdr-feeder.ts --ports 17000,17001,…
//
// `Sspeed` (spindle.speed) carries the send time: Date.now() mod 100,000 ms,
// so the page can tell how old a value is when it shows it (same host, same
// clock). Runs in its own process, so its CPU is not the gateway's.
import { createServer, type Socket } from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { ports: { type: "string", default: "" } } });
const ports = values.ports.split(",").map(Number);
if (ports.length === 0 || !ports.every((p) => Number.isInteger(p) && p > 0 && p < 65_536)) {
  console.error("shdr-feeder: --ports expects a comma-separated list of TCP ports, e.g. --ports 17000,17001");
  process.exit(2);
}
const machines = ports.length;

/** The 10 signals, in the order they change; each value function gets the round (one per second). */
const SIGNALS: [key: string, value: (n: number) => string][] = [
  ["Sspeed", () => String(Date.now() % 100_000)],
  ["Sload", (n) => String(20 + (n % 60))],
  ["Sovr", (n) => String(90 + (n % 21))],
  ["Fact", (n) => String(800 + (n % 400))],
  ["Fovr", (n) => String(80 + (n % 41))],
  ["Rovr", (n) => String(25 + (n % 76))],
  ["Xact", (n) => ((n % 1000) / 10).toFixed(3)],
  ["Yact", (n) => (-(n % 500) / 10).toFixed(3)],
  ["Zact", (n) => ((n % 200) / 10).toFixed(3)],
  ["line", (n) => String(n % 5000)],
];
const TICK_MS = 100;

function line(parts: string): string {
  return `${new Date().toISOString()}|${parts}\n`;
}

for (let i = 0; i < machines; i++) {
  const machineSockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    machineSockets.add(socket);
    socket.on("close", () => machineSockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk) => {
      if (/\* PING/.test(chunk.toString())) socket.write("* PONG 10000\n");
    });
    socket.write(line("avail|AVAILABLE|execution|ACTIVE|mode|AUTOMATIC|program|O1001|part_count|0"));
  });
  server.listen(ports[i], "127.0.0.1");
  // Machine i ticks at its own offset inside the 100 ms, so the gateway sees a steady stream.
  setTimeout(
    () => {
      let count = 0;
      setInterval(() => {
        const [key, value] = SIGNALS[count % SIGNALS.length]!;
        const text = line(`${key}|${value(Math.floor(count / SIGNALS.length))}`);
        for (const socket of machineSockets) socket.write(text);
        count++;
      }, TICK_MS);
    },
    Math.floor((i * TICK_MS) / machines),
  );
}

console.log(`shdr-feeder: ${machines} machines, 10 signal changes/s each`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(0));
