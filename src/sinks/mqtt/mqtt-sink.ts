import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { PipelineOutput, Sink } from "../../core/contracts.ts";
import type { Outbox } from "../outbox/outbox-types.ts";
import { type PublishFn, PublishQueue, type QueuedMessage } from "../outbox/publish-queue.ts";
import { checkBrokerUrl, readPem, redactUrl } from "./broker-options.ts";
import { filterIncoming, PubackFilter } from "./puback-filter.ts";
import { PublishFrames } from "./publish-frames.ts";
import { Qos1Publisher } from "./qos1-publisher.ts";
import { eventPayload, signalPayload, statePayload, statusPayload, Topics } from "./topics.ts";

// The gateway and the tests import it from here.
export { redactUrl } from "./broker-options.ts";

export type MqttSinkOptions = {
  /** mqtt://, mqtts://, ws://, wss:// broker URL. Credentials in the URL work but are never logged. */
  url: string;
  username?: string;
  password?: string;
  /** PEM file paths for TLS (mqtts://): CA to trust, client certificate and its key. */
  ca?: string;
  cert?: string;
  key?: string;
  /** Topic prefix, e.g. defaultPrefix(site) = "maskinport/<site>". */
  prefix: string;
  gatewayId: string;
  /** QoS of the per-signal topics (state, events and status are always QoS 1). */
  signalQos: 0 | 1;
  clientId?: string;
  log: Logger;
  /** Reported in the gateway status payload; defaults to package.json's version. */
  version?: string;
  /** Delay between reconnect attempts (mqtt.js reconnectPeriod). Default 1000 ms. */
  reconnectPeriodMs?: number;
  /** How long start() waits for the first connection before carrying on in the background. Default 10 s. */
  startTimeoutMs?: number;
  /** How long stop() waits for QoS 1 acknowledgements before closing hard. Default 5 s. */
  stopTimeoutMs?: number;
  /** Events (QoS 1) kept in memory while disconnected before new ones are dropped. Default 10,000. */
  maxOfflineEvents?: number;
  /**
   * Durable delivery (issue #6): every message goes through this outbox and
   * is published at QoS 1; an entry leaves the outbox only after the broker's
   * PUBACK for each of its messages. Without it, the in-memory behaviour below.
   * The gateway passes this sink's view of the shared outbox log.
   */
  outbox?: Outbox;
  now?: () => number;
};

export type MqttSinkStats = {
  /** Messages handed to the socket (all topics). */
  published: number;
  /** Events dropped because the offline queue was full. */
  dropped: number;
  connects: number;
  connected: boolean;
};

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/**
 * Publishes pipeline output on the MQTT contract (topics.ts). The hot path
 * (write) formats and hands each message to mqtt.js without awaiting it.
 *
 * While disconnected, signal values and snapshots are not queued: the sink
 * keeps the latest payload per retained topic and republishes all of them on
 * every (re)connect, so the retained picture is current again at once and an
 * outage cannot fill memory at 100k obs/s. Intermediate values of that gap
 * are in the time-series store. Events (QoS 1) are queued in memory by
 * mqtt.js up to maxOfflineEvents and delivered after the reconnect.
 *
 * With `outbox` (what the gateway uses) nothing is held in memory: every
 * message is written to the durable outbox first and published from it at
 * QoS 1 in order; the resync of retained topics on connect stays, then the
 * outbox drains (see src/sinks/outbox/README.md).
 */
export class MqttSink implements Sink {
  readonly name = "mqtt";
  readonly stats: MqttSinkStats = { published: 0, dropped: 0, connects: 0, connected: false };

  private readonly opts: MqttSinkOptions;
  private readonly topics: Topics;
  private readonly statusTopic: string;
  private readonly version: string;
  private readonly now: () => number;
  private readonly log: Logger;
  private client: MqttClient | undefined;
  private inflight = 0;
  private readonly lastSignal = new Map<string, string>();
  private readonly lastState = new Map<string, string>();
  private outageLogged = false;
  private dropLogged = false;
  private disconnectedAt = 0;
  private stopping = false;
  /**
   * Outbox messages still to be handed over that were written before the last
   * resync of the retained topics (counted at connect): only those can be
   * older than a retained value the broker already has again.
   */
  private backlogBeforeResync = 0;
  // One bound callback for every QoS 1 publish instead of a closure each.
  private readonly onAck = (): void => {
    this.inflight--;
  };
  private readonly queue: PublishQueue | undefined;
  // QoS 0 signal packets of one write(), sent as one buffer (publish-frames.ts says why).
  private frames: PublishFrames | undefined;
  // The outbox path's QoS 1 packets, written in batches with their own PUBACK tracking.
  private qos1: Qos1Publisher | undefined;

  constructor(opts: MqttSinkOptions) {
    this.opts = opts;
    this.topics = new Topics(opts.prefix);
    this.statusTopic = this.topics.gatewayStatus(opts.gatewayId);
    this.version = opts.version ?? PACKAGE_VERSION;
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    // The in-flight window: 10,000 messages is half a second at 20k messages/s, so a broker that
    // takes 100 ms per batch under load does not throttle the gateway (2,000, the queue's default,
    // did; packet ids allow 65,535).
    this.queue = opts.outbox ? new PublishQueue({ outbox: opts.outbox, window: 10_000 }) : undefined;
  }

  async start(): Promise<void> {
    const url = redactUrl(this.opts.url);
    const options: IClientOptions = {
      // Stable across restarts: a restarted gateway takes over its old session,
      // so the broker fires the old Last Will now, not 90 s later over "online".
      clientId: this.opts.clientId ?? `maskinport-${this.opts.gatewayId}`,
      username: this.opts.username,
      password: this.opts.password,
      ca: readPem(this.opts.ca, "ca"),
      cert: readPem(this.opts.cert, "cert"),
      key: readPem(this.opts.key, "key"),
      reconnectPeriod: this.opts.reconnectPeriodMs ?? 1000,
      connectTimeout: 10_000,
      // A refused login may be fixed on the broker side; keep trying (logged once).
      reconnectOnConnackError: true,
      // Never buffer QoS 0 while offline: see the class comment (resync on connect).
      queueQoSZero: false,
      will: { topic: this.statusTopic, payload: this.willPayload(), qos: 1, retain: true },
      // mqtt.js traces every packet through `debug` (~10% of publish time
      // even when disabled); keep it only when someone asks for DEBUG=mqttjs*.
      log: process.env.DEBUG?.includes("mqttjs") ? undefined : () => {},
      // mqtt.js moves its PINGREQ timer on every packet sent or acknowledged: a clearTimeout and a
      // setTimeout per PUBACK (20k/s in the default configuration). A PINGREQ every keepalive
      // period while traffic flows costs nothing; dead connections are still found.
      reschedulePings: false,
    };
    checkBrokerUrl(this.opts.url, url);
    const client = connect(this.opts.url, options);
    this.client = client;
    const protocolVersion = client.options.protocolVersion ?? 4;
    if (this.queue) {
      this.qos1 = new Qos1Publisher(
        {
          write: (bytes) => {
            // Not connected: the packets stay pending and go out (without DUP) on resend().
            if (!client.connected || !client.stream.writable) return false;
            client.stream.write(bytes);
            return true;
          },
          allocateId: () => client.messageIdProvider.allocate(),
          releaseId: (id) => client.messageIdProvider.deallocate(id),
        },
        protocolVersion,
      );
      // Our packets are not in mqtt.js's outgoing table, so their PUBACKs are ours to take: off the
      // socket before mqtt.js parses them (puback-filter.ts says why). The stream is new on every
      // (re)connect; mqtt.js sends CONNECT right after creating it, before any byte can arrive. The
      // first one was created (and CONNECT sent) inside connect() above.
      const qos1 = this.qos1;
      const claim = (id: number, reasonCode: number): boolean => qos1.acknowledge(id, reasonCode);
      filterIncoming(client.stream, new PubackFilter(claim));
      client.on("packetsend", (packet) => {
        if (packet.cmd === "connect") filterIncoming(client.stream, new PubackFilter(claim));
      });
      // What the filter hands on (it switches itself off on a stream it cannot frame) still counts.
      client.on("packetreceive", (packet) => {
        if (packet.cmd === "puback" && packet.messageId !== undefined) {
          qos1.acknowledge(packet.messageId, packet.reasonCode ?? 0);
        }
      });
    } else if (this.opts.signalQos === 0) {
      this.frames = new PublishFrames(protocolVersion);
    }

    client.on("connect", () => this.onConnect(url));
    client.on("reconnect", () => {
      // mqtt.js sends options.will with every CONNECT; stamp it with this attempt's time.
      if (client.options.will) client.options.will.payload = this.willPayload();
    });
    client.on("close", () => this.onClose(url));
    client.on("error", (err) => this.onError(url, err));

    await this.firstConnection(client, url);
  }

  write(out: PipelineOutput): void {
    if (this.queue) {
      this.writeDurably(this.queue, out);
      return;
    }
    const client = this.client;
    const connected = client?.connected === true;
    const signalQos = this.opts.signalQos;
    const frames = this.frames;
    for (const o of out.observations) {
      const topic = this.topics.signal(o.machine, o.signal);
      const payload = signalPayload(o);
      this.lastSignal.set(topic, payload);
      if (!connected) continue;
      if (frames) frames.add(topic, payload, true);
      else this.publish(client, topic, payload, signalQos, true);
    }
    if (connected && frames) this.sendFrames(client, frames);
    for (const snapshot of out.snapshots) {
      const topic = this.topics.state(snapshot.machine);
      const payload = statePayload(snapshot);
      this.lastState.set(topic, payload);
      if (connected) this.publish(client, topic, payload, 1, true);
    }
    for (const event of out.events) {
      if (!client) {
        this.stats.dropped++;
        continue;
      }
      if (!connected && this.inflight >= (this.opts.maxOfflineEvents ?? 10_000)) {
        this.stats.dropped++;
        if (!this.dropLogged) {
          this.dropLogged = true;
          this.log.error(
            { limit: this.opts.maxOfflineEvents ?? 10_000 },
            "mqtt offline queue full; dropping events",
          );
        }
        continue;
      }
      this.publish(client, this.topics.event(event.machine, event.type), eventPayload(event), 1, false);
    }
  }

  /**
   * Durable path: the whole output becomes one outbox entry, every message
   * QoS 1 (an acknowledgement is what lets the outbox forget it). The latest
   * payload per retained topic is still kept for the resync on connect.
   */
  private writeDurably(queue: PublishQueue, out: PipelineOutput): void {
    const messages: QueuedMessage[] = [];
    let seqMax: number | undefined;
    for (const o of out.observations) {
      const topic = this.topics.signal(o.machine, o.signal);
      const payload = signalPayload(o);
      this.lastSignal.set(topic, payload);
      messages.push({ topic, payload, qos: 1, retain: true });
      if (seqMax === undefined || o.seq > seqMax) seqMax = o.seq;
    }
    for (const snapshot of out.snapshots) {
      const topic = this.topics.state(snapshot.machine);
      const payload = statePayload(snapshot);
      this.lastState.set(topic, payload);
      messages.push({ topic, payload, qos: 1, retain: true });
    }
    for (const event of out.events) {
      messages.push({
        topic: this.topics.event(event.machine, event.type),
        payload: eventPayload(event),
        qos: 1,
        retain: false,
      });
    }
    if (!queue.enqueue(messages, seqMax)) this.stats.dropped += messages.length;
  }

  /**
   * Hands outbox messages over (QoS 1: qos1-publisher.ts). A backlog (older
   * values of a topic that has a newer one already) goes out without the
   * retain flag, so the broker's retained copy never steps back in time while
   * an outage drains. Messages written after the resync go out in order
   * behind it, so the newest of each topic is retained last: they skip the
   * check (two map lookups per message at 20k messages/s).
   */
  private readonly publishQueued: PublishFn = (m, done) => {
    const client = this.client;
    if (!client) return done(new Error("mqtt client closed"));
    let retain = m.retain;
    const backlog = this.backlogBeforeResync > 0;
    if (backlog) this.backlogBeforeResync--;
    if (retain && backlog) {
      const latest = this.lastSignal.get(m.topic) ?? this.lastState.get(m.topic);
      retain = latest === undefined || latest === m.payload;
    }
    this.stats.published++;
    if (m.qos === 1 && this.qos1) this.qos1.add(m.topic, m.payload, retain, done);
    else client.publish(m.topic, m.payload, { qos: m.qos, retain }, (err) => done(err ?? undefined));
  };

  /**
   * The gateway's own broker connection (after start), shared with the MQTT
   * check-in command: the embedded broker forwards check-in commands to the
   * gateway's login only, and one connection per gateway is what it expects.
   */
  get connection(): MqttClient | undefined {
    return this.client;
  }

  /** Whether the broker connection is up right now (health check). */
  get connected(): boolean {
    return this.stats.connected;
  }

  /** QoS 1 messages not yet acknowledged plus QoS 0 messages mqtt.js still holds. */
  queueDepth(): number {
    if (this.queue) return this.queue.outbox.depth();
    return this.inflight + (this.client?.queue.length ?? 0);
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.stopping = true;
    const timeoutMs = this.opts.stopTimeoutMs ?? 5000;
    if (this.queue && client.connected && !(await this.queue.drained(timeoutMs))) {
      this.log.warn(
        { undelivered: this.queue.outbox.depth() },
        "mqtt stop: outbox not empty; the rest is delivered after the next start",
      );
    }
    this.queue?.pause();
    // A clean DISCONNECT discards the Last Will, so say "offline" ourselves.
    if (client.connected) {
      this.publish(client, this.statusTopic, statusPayload("offline", this.now(), this.version), 1, true);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.log.warn(
          { unacknowledged: this.inflight },
          "mqtt stop: broker did not acknowledge in time; closing",
        );
        client.end(true, {}, () => resolve());
      }, timeoutMs);
      client.end(false, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.client = undefined;
    this.stats.connected = false;
  }

  /** The retained QoS 0 signal packets collected in `frames`, in one socket write, in call order with mqtt.js's own. */
  private sendFrames(client: MqttClient, frames: PublishFrames): void {
    const count = frames.count;
    const packets = frames.take();
    if (!packets) return;
    client.stream.write(packets.bytes);
    this.stats.published += count;
  }

  private publish(client: MqttClient, topic: string, payload: string, qos: 0 | 1, retain: boolean): void {
    if (qos === 1) {
      this.inflight++;
      client.publish(topic, payload, { qos, retain }, this.onAck);
    } else {
      client.publish(topic, payload, { qos, retain });
    }
    this.stats.published++;
  }

  private willPayload(): string {
    return statusPayload("offline", this.now(), this.version);
  }

  private onConnect(url: string): void {
    const client = this.client;
    if (!client) return;
    // mqtt.js has no option for it: without TCP_NODELAY a QoS 1 round trip
    // waits 40+ ms on Nagle (notes/toolchain.md).
    (client.stream as unknown as Partial<Socket>).setNoDelay?.(true);
    this.stats.connects++;
    this.stats.connected = true;
    if (this.stats.connects === 1) this.log.info({ url }, "mqtt connected");
    else this.log.info({ url, downMs: this.now() - this.disconnectedAt }, "mqtt reconnected");
    this.outageLogged = false;
    this.dropLogged = false;

    // What went out before the connection dropped and got no PUBACK: again, first, with DUP.
    // (The resync below then puts the newest retained values back on top.)
    this.qos1?.resend();
    this.publish(client, this.statusTopic, statusPayload("online", this.now(), this.version), 1, true);
    // Resync the retained picture (see the class comment).
    for (const [topic, payload] of this.lastState) this.publish(client, topic, payload, 1, true);
    const frames = this.frames;
    for (const [topic, payload] of this.lastSignal) {
      if (frames) frames.add(topic, payload, true);
      else this.publish(client, topic, payload, this.opts.signalQos, true);
    }
    if (frames) this.sendFrames(client, frames);
    // Then the outbox: what waited during the outage, in order. What it holds now was written before
    // this resync (an over-count when some of it is in flight: more checks, never fewer).
    if (this.queue) this.backlogBeforeResync = this.queue.outbox.depth();
    this.queue?.resume(this.publishQueued);
  }

  private onClose(url: string): void {
    if (!this.stats.connected) return; // a failed reconnect attempt: already logged
    this.stats.connected = false;
    this.queue?.pause();
    this.disconnectedAt = this.now();
    if (!this.stopping) this.log.warn({ url }, "mqtt connection lost; reconnecting");
  }

  private onError(url: string, err: Error & { code?: string | number }): void {
    // One line per outage, not one per reconnect attempt.
    if (this.outageLogged || this.stopping) return;
    this.outageLogged = true;
    this.log.warn(
      { url, code: err.code, error: err.message },
      "mqtt connection error; retrying in the background",
    );
  }

  private firstConnection(client: MqttClient, url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        client.off("connect", onConnect);
        client.off("error", onError);
      };
      const onConnect = (): void => {
        done();
        resolve();
      };
      const onError = (err: Error & { code?: string | number }): void => {
        // CONNACK refusals are numeric reason codes: bad credentials, not
        // authorised, client id rejected… a config problem, so fail loudly.
        if (typeof err.code !== "number") return;
        done();
        client.end(true);
        this.client = undefined;
        reject(
          new Error(
            `MQTT broker ${url} refused the connection (${err.message}): check mqtt.username / mqtt.password and the broker's access rules`,
          ),
        );
      };
      const timer = setTimeout(() => {
        done();
        this.log.warn({ url }, "mqtt broker not reachable yet; the gateway keeps running and retries");
        resolve();
      }, this.opts.startTimeoutMs ?? 10_000);
      client.on("connect", onConnect);
      client.on("error", onError);
    });
  }
}
