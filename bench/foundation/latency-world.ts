// The world outside the gateway for the latency run, in its own worker
// thread: the machines (SHDR servers writing paced lines, each stamped with
// the send time) and the consumer (an MQTT subscriber that subtracts the
// stamp from its receive time). Both sides live in this one thread, so send
// and receive times come from the same clock (performance.now()). For the
// floor without a gateway, a bare mqtt.js publisher here sends the same
// stamped messages straight to the broker.
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type MessagePort, parentPort } from "node:worker_threads";
import { connectAsync, type MqttClient } from "mqtt";
import { MqttCounter } from "../support/mqtt-counter.ts";
import {
  OBS_PER_LINE,
  STAMP_KEY,
  STAMP_SIGNAL,
  type WorldReply,
  type WorldRequest,
} from "./latency-protocol.ts";

class PacedMachines {
  readonly servers: Server[] = [];
  readonly clients: (Socket | undefined)[] = [];
  #value = 0;
  #next = 0;

  async listen(machines: number): Promise<number[]> {
    for (let i = 0; i < machines; i++) {
      const server = createServer({ noDelay: true }, (socket) => this.#accept(i, socket));
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      this.servers.push(server);
      this.clients.push(undefined);
    }
    return this.servers.map((s) => (s.address() as { port: number }).port);
  }

  #accept(machine: number, socket: Socket): void {
    this.clients[machine]?.destroy();
    this.clients[machine] = socket;
    // Answer the adapter's heartbeat as a real MTConnect adapter does.
    socket.on("data", (chunk: Buffer) => {
      if (chunk.includes("* PING")) socket.write("* PONG 10000\n");
    });
    socket.on("error", () => {});
  }

  /** One line per call: fresh values, so the pipeline's dedupe keeps every observation. */
  line(stamp: string): string {
    const v = ++this.#value;
    return (
      `${new Date().toISOString()}|Sspeed|${1000 + (v % 2000)}|Sload|${(v % 1000) / 10}` +
      `|Xact|${(v % 100_000) / 100}|${STAMP_KEY}|${stamp}${String(v % 1000).padStart(3, "0")}\n`
    );
  }

  /** `due` lines stamped `stamp`, round robin over the machines, one socket write per machine. */
  write(due: number, stamp: string): void {
    const pending: string[] = this.clients.map(() => "");
    for (let i = 0; i < due; i++) {
      const m = this.#next;
      pending[m] += this.line(stamp);
      this.#next = (m + 1) % pending.length;
    }
    for (let m = 0; m < pending.length; m++) {
      if (pending[m] !== "") this.clients[m]?.write(pending[m] as string);
    }
  }

  async close(): Promise<void> {
    for (const c of this.clients) c?.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/**
 * Calls `emit(due, stamp)` with the lines due at `linesPerSecond` until
 * `until`, every ~1 ms. Timer granularity bunches lines a little; the stamp
 * is taken at each emit, so the bunching does not count as latency. Lines of
 * one emit share its moment: the last three digits (µs/1000) number them, so
 * no two stamps are equal (the pipeline would drop a repeat).
 */
async function pace(
  linesPerSecond: number,
  until: number,
  emit: (due: number, stamp: string) => void,
): Promise<number> {
  const start = performance.now();
  let sent = 0;
  while (performance.now() < until) {
    const due = Math.floor(((performance.now() - start) / 1000) * linesPerSecond) - sent;
    if (due > 0) {
      emit(due, performance.now().toFixed(3));
      sent += due;
    }
    await sleep(1);
  }
  return sent;
}

/** The same messages as the gateway would publish for each line, from bare mqtt.js. */
class DirectPublisher {
  readonly #client: MqttClient;
  readonly #topics: string[];
  readonly #qos: 0 | 1;
  #value = 0;

  private constructor(client: MqttClient, prefix: string, qos: 0 | 1) {
    this.#client = client;
    this.#qos = qos;
    const topic = (signal: string) => `${prefix}/direct/signal/${signal}`;
    this.#topics = [
      topic("spindle.speed"),
      topic("spindle.load"),
      topic("axis.x.position"),
      topic(STAMP_SIGNAL),
    ];
  }

  static async connect(url: string, prefix: string, qos: 0 | 1): Promise<DirectPublisher> {
    const client = await connectAsync(url, { reconnectPeriod: 0, queueQoSZero: false, log: () => {} });
    (client.stream as unknown as Partial<Socket>).setNoDelay?.(true);
    return new DirectPublisher(client, prefix, qos);
  }

  write(due: number, stamp: string): void {
    const now = Date.now();
    for (let i = 0; i < due; i++) {
      const v = ++this.#value;
      const values = [1000 + (v % 2000), (v % 1000) / 10, (v % 100_000) / 100];
      for (let k = 0; k < this.#topics.length; k++) {
        const value = k < values.length ? String(values[k]) : `${stamp}${String(v % 1000).padStart(3, "0")}`;
        const payload = `{"v":1,"value":${value},"ts":${now},"rx":${now},"seq":${v},"quality":"good"}`;
        this.#client.publish(this.#topics[k] as string, payload, { qos: this.#qos, retain: true });
      }
    }
  }

  async close(): Promise<void> {
    await this.#client.endAsync(true);
  }
}

const port = parentPort as MessagePort;
const machines = new PacedMachines();
let subscriber: MqttCounter | undefined;
let publisher: DirectPublisher | undefined;

async function handle(req: WorldRequest): Promise<WorldReply> {
  switch (req.cmd) {
    case "listen":
      return { ok: "listening", ports: await machines.listen(req.machines) };
    case "subscribe":
      await subscriber?.close();
      subscriber = await MqttCounter.connect({
        url: req.url,
        topic: req.topic,
        qos: req.qos,
        stampTopicSuffix: `/${STAMP_SIGNAL}`,
      });
      return { ok: "subscribed" };
    case "publisher":
      await publisher?.close();
      publisher = await DirectPublisher.connect(req.url, req.prefix, req.qos);
      return { ok: "publisher" };
    case "run": {
      const sub = subscriber;
      if (!sub) return { error: "run before subscribe" };
      const direct = publisher;
      if (req.via === "mqtt" && !direct) return { error: "run via mqtt before publisher" };
      const emit = (due: number, stamp: string) =>
        req.via === "mqtt" ? direct?.write(due, stamp) : machines.write(due, stamp);
      const linesPerSecond = req.obsPerSecond / OBS_PER_LINE;
      await pace(linesPerSecond, performance.now() + req.warmupMs, emit);
      sub.takeLatencies();
      const received0 = sub.received;
      const t0 = performance.now();
      const sentLines = await pace(linesPerSecond, t0 + req.measureMs, emit);
      const seconds = (performance.now() - t0) / 1000;
      const received = sub.received - received0;
      await sleep(500); // the last lines' messages
      const latencies = sub.takeLatencies();
      return {
        ok: "ran",
        latencies,
        deliveredPerSecond: received / seconds,
        sentPerSecond: (sentLines * OBS_PER_LINE) / seconds,
        missingStamps: Math.max(0, sentLines - latencies.length),
        unreadableStamps: sub.unreadableStamps,
      };
    }
    case "close":
      await publisher?.close();
      await subscriber?.close();
      await machines.close();
      return { ok: "closed" };
  }
}

port.on("message", (req: WorldRequest) => {
  handle(req).then(
    (reply) => {
      port.postMessage(reply);
      if (req.cmd === "close") port.close();
    },
    (err: Error) => port.postMessage({ error: `${req.cmd}: ${err.message}` }),
  );
});
