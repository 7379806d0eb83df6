import { dirname, join } from "node:path";
import type { Logger } from "pino";
import { routeNodeOpcuaLogs } from "../adapters/opcua/node-opcua-log.ts";
import type { MaskinportConfig } from "../config/schema.ts";
import type { Adapter, PipelineOutput, Sink } from "../core/contracts.ts";
import type { Reading } from "../core/observation.ts";
import { deadbandsByMachine } from "../pipeline/deadband-config.ts";
import { Pipeline } from "../pipeline/pipeline.ts";
import { InfluxHistory } from "../sinks/history/influx-history.ts";
import { InfluxSink } from "../sinks/influx/influx-sink.ts";
import { type GatewayLogin, startEmbeddedBroker } from "../sinks/mqtt/embedded-broker.ts";
import { MqttSink, redactUrl } from "../sinks/mqtt/mqtt-sink.ts";
import { registerOutboxMetrics } from "../sinks/outbox/outbox-metrics.ts";
import { SharedOutbox } from "../sinks/outbox/shared-outbox.ts";
import { EmbeddedTimeseries } from "../sinks/timeseries/embedded-timeseries.ts";
import { registerTimeseriesMetrics } from "../sinks/timeseries/timeseries-metrics.ts";
import { clientLimitsFrom } from "../web/client-address.ts";
import { createMetrics, type Metrics } from "../web/metrics.ts";
import { createWebApp, startWebServer, type WebDeps } from "../web/server.ts";
import { createAdapters } from "./adapters.ts";
import { DncFleet } from "./dnc.ts";
import { type HealthReport, healthOf } from "./health.ts";
import { IntakeGate } from "./intake.ts";
import { type RunningSimulator, startSimulators } from "./simulators.ts";

export type GatewayAddresses = { webPort: number; mqttUrl: string };

type Closer = { name: string; close(): Promise<void> };

/**
 * Wires config → simulators → adapters → pipeline → sinks and the web app.
 * The only module that knows all the parts; each part knows only the
 * contracts in src/core. Start order makes every consumer ready before the
 * first reading arrives; stop runs in reverse so buffered data is flushed.
 */
export class Gateway {
  readonly config: MaskinportConfig;
  private readonly log: Logger;
  private readonly version: string;
  readonly metrics: Metrics;
  private pipeline: Pipeline | undefined;
  private adapters: Adapter[] = [];
  private sinks: Sink[] = [];
  private mqtt: MqttSink | undefined;
  /** The gateway's own login on the embedded broker, made at its start (never in the config). */
  private brokerLogin: GatewayLogin | undefined;
  private store: EmbeddedTimeseries | undefined;
  private influx: InfluxSink | undefined;
  /** One log for every sink that leaves the process (src/sinks/outbox/README.md). */
  private outbox: SharedOutbox | undefined;
  /** Sinks writing through the shared outbox: one pipeline output is one record for all of them. */
  private readonly outboxed = new Set<Sink>();
  private listeners = new Set<(out: PipelineOutput) => void>();
  private closers: Closer[] = [];
  private tickTimer: NodeJS.Timeout | undefined;
  private dncFleet: DncFleet | undefined;
  private running = false;

  constructor(opts: { config: MaskinportConfig; log: Logger; version: string }) {
    this.config = opts.config;
    this.log = opts.log;
    this.version = opts.version;
    this.metrics = createMetrics();
    registerOutboxMetrics(
      this.metrics.registry,
      () => this.outbox?.members() ?? [],
      () => (this.outbox ? [this.outbox] : []),
    );
    registerTimeseriesMetrics(this.metrics.registry, () => this.store);
  }

  async start(): Promise<GatewayAddresses> {
    const { config, log } = this;
    // node-opcua prints to the console unless told otherwise (process-wide).
    routeNodeOpcuaLogs(log);
    try {
      const sims = await startSimulators(config.simulators, log);
      this.closeLater(
        sims.map((s: RunningSimulator) => ({ name: `simulator ${s.describe}`, close: () => s.close() })),
      );
      for (const s of sims) log.info({ simulator: s.describe }, "simulator started");

      const mqttUrl = await this.startBroker();
      await this.startSinks(mqttUrl);

      const machineIds = config.machines.map((m) => m.id);
      // Continue after every seq any store or outbox has seen: a seq is never reused.
      const lastSeq = Math.max(this.store?.latestSeq() ?? 0, this.outbox?.lastSeq() ?? 0);
      this.pipeline = new Pipeline({
        machines: machineIds,
        firstSeq: lastSeq + 1,
        machineDeadbands: deadbandsByMachine(config.machines),
      });

      this.startDnc();
      const webPort = await this.startWeb();
      this.startAdapters();
      this.tickTimer = setInterval(() => this.dispatch(this.pipeline!.tick()), 250);
      this.running = true;
      log.info({ web: webPort, mqtt: redactUrl(mqttUrl), machines: machineIds.length }, "gateway started");
      return { webPort, mqttUrl };
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Reverse order of start: adapters stop first, then everything buffered is flushed. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = undefined;
    await Promise.allSettled(this.adapters.map((a) => a.stop()));
    this.adapters = [];
    if (this.pipeline) this.dispatch(this.pipeline.tick(Number.POSITIVE_INFINITY));
    for (const c of this.closers.reverse()) {
      try {
        await c.close();
      } catch (err) {
        this.log.warn({ err, part: c.name }, "error while stopping");
      }
    }
    this.closers = [];
    this.sinks = [];
    this.outboxed.clear();
    this.outbox = undefined;
    this.listeners.clear();
  }

  health(): HealthReport {
    return healthOf({ running: this.running, adapters: this.adapters, mqtt: this.mqtt });
  }

  private closeLater(closers: Closer[]): void {
    this.closers.push(...closers);
  }

  private async startBroker(): Promise<string> {
    const { mqtt } = this.config;
    if (!mqtt.embedded) return mqtt.url!;
    const broker = await startEmbeddedBroker({
      ...mqtt.embedded,
      prefix: mqtt.prefix ?? `maskinport/${this.config.site}`,
      gatewayClientId: mqtt.clientId ?? `maskinport-${this.config.gateway.id}`,
      log: this.log.child({ part: "broker" }),
    });
    this.brokerLogin = broker.gatewayLogin;
    this.closeLater([{ name: "embedded broker", close: () => broker.close() }]);
    const host = mqtt.embedded.host === "0.0.0.0" ? "127.0.0.1" : mqtt.embedded.host;
    return `mqtt://${host}:${broker.port}`;
  }

  private async startSinks(mqttUrl: string): Promise<void> {
    const { config, log } = this;
    const login = this.brokerLogin;
    // InfluxDB always writes through the outbox (it is also its batch buffer); MQTT unless outbox.enabled is false.
    const members = [
      ...(config.outbox.enabled ? ["mqtt"] : []),
      ...(config.timeseries.influx ? ["influx"] : []),
    ];
    const outbox = members.length > 0 ? this.openOutbox(members) : undefined;
    this.mqtt = new MqttSink({
      url: mqttUrl,
      username: login ? login.username : config.mqtt.username,
      password: login ? login.password : config.mqtt.password,
      ca: config.mqtt.ca,
      cert: config.mqtt.cert,
      key: config.mqtt.key,
      prefix: config.mqtt.prefix ?? `maskinport/${config.site}`,
      gatewayId: config.gateway.id,
      signalQos: config.mqtt.signalQos,
      clientId: login ? login.clientId : config.mqtt.clientId,
      version: this.version,
      log: log.child({ sink: "mqtt" }),
      outbox: config.outbox.enabled ? outbox!.sink("mqtt") : undefined,
    });
    const sinks: Sink[] = [this.mqtt];
    if (config.outbox.enabled) this.outboxed.add(this.mqtt);
    if (config.timeseries.influx) {
      this.influx = new InfluxSink({
        ...config.timeseries.influx,
        outbox: outbox!.sink("influx"),
        deadLetterPath: join(outbox!.path, "influx", "dead-letter.jsonl"),
        log: log.child({ sink: "influx" }),
      });
      sinks.push(this.influx);
      this.outboxed.add(this.influx);
    }
    if (config.timeseries.embedded) {
      this.store = new EmbeddedTimeseries({
        ...config.timeseries.embedded,
        log: log.child({ sink: "timeseries" }),
      });
      sinks.push(this.store);
    }
    for (const sink of sinks) {
      await sink.start();
      this.sinks.push(sink);
      // Sinks close after the adapters have stopped, so their last batch is flushed.
      this.closeLater([{ name: `sink ${sink.name}`, close: () => sink.stop() }]);
    }
  }

  /**
   * The shared outbox under outbox.path (default: next to the embedded
   * store): one log, a section per sink in each record. Closed after every
   * sink has stopped (closers run in reverse). Undelivered data of the
   * earlier per-sink folders (outbox.path/mqtt, /influx) is imported at open.
   */
  private openOutbox(sinks: string[]): SharedOutbox {
    const { outbox, timeseries } = this.config;
    const path =
      outbox.path ??
      (timeseries.embedded ? join(dirname(timeseries.embedded.path), "outbox") : "data/outbox");
    const ob = new SharedOutbox({
      path,
      sinks,
      name: "outbox",
      maxBytes: outbox.maxBytes,
      whenFull: outbox.whenFull,
      durability: outbox.durability,
      log: this.log.child({ part: "outbox" }),
    });
    ob.open();
    this.outbox = ob;
    this.closeLater([{ name: "outbox", close: async () => ob.close() }]);
    return ob;
  }

  /** Without the embedded store, the dashboard's history comes from InfluxDB (same answers: src/sinks/history/). */
  private influxHistory(): { range: InfluxHistory["range"] } | undefined {
    const influx = this.config.timeseries.influx;
    if (!influx) return undefined;
    const history = new InfluxHistory(influx);
    return { range: (q) => history.range(q) };
  }

  private async startWeb(): Promise<number> {
    const { config, log, metrics } = this;
    const store = this.store;
    const deps: WebDeps = {
      snapshots: () => this.pipeline?.snapshots() ?? [],
      machines: () => config.machines.map((m) => ({ id: m.id, name: m.name, kind: m.kind })),
      onUpdate: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      health: () => this.health(),
      metrics: metrics.registry,
      history: store ? { range: (q) => store.range(q) } : this.influxHistory(),
      timeZone: config.gateway.timeZone,
      log: log.child({ part: "web" }),
      ...(config.web.trustedProxies ? { trustProxy: config.web.trustedProxies } : {}),
      // No authenticator yet: the training store (issue 14) brings users; until then login answers 503.
      auth: { liveRequiresLogin: config.web.liveRequiresLogin, secureCookies: config.web.secureCookies },
    };
    const app = createWebApp(deps, clientLimitsFrom(config.web));
    const server = await startWebServer(app, config.web);
    this.closeLater([{ name: "web server", close: () => server.close() }]);
    return server.port;
  }

  /** The DNC side of a machine (send, receive, drip-feed), if it has one. */
  dnc(machine: string) {
    return this.dncFleet?.get(machine);
  }

  private startDnc(): void {
    const fleet = new DncFleet({
      machines: this.config.machines,
      libraryPath: this.config.library.path,
      log: this.log.child({ part: "dnc" }),
      // Transfers are events of their machine, tagged with the trainee's session like any other.
      onEvent: (event) => {
        const session = this.pipeline?.snapshot(event.machine).session ?? undefined;
        this.dispatch({ observations: [], events: [session ? { ...event, session } : event], snapshots: [] });
      },
    });
    this.dncFleet = fleet;
    this.closeLater([{ name: "dnc", close: () => fleet.stop() }]);
  }

  private startAdapters(): void {
    this.adapters = createAdapters(this.config.machines);
    // Counters are read from the adapters' own stats at scrape time.
    this.metrics.trackAdapters(() => this.adapters);
    this.metrics.trackSinks(() => this.sinks);
    // Outboxes full under the `pause` policy make adapters stop reading.
    const intake = new IntakeGate(this.outbox ? [this.outbox] : []);
    this.closeLater([{ name: "intake gate", close: async () => intake.close() }]);
    intake.onChange((paused) =>
      this.log.warn({ paused }, paused ? "intake paused: an outbox is full" : "intake resumed"),
    );
    for (const adapter of this.adapters) {
      const log = this.log.child({ adapter: adapter.id });
      adapter
        .start({
          emit: (readings) => this.process(readings),
          log,
          intake,
        })
        .catch((err: unknown) => {
          // Adapters reconnect by themselves; a start that throws is a bug or a
          // configuration the schema could not catch (e.g. an unreadable file).
          log.error({ err }, "adapter failed to start; its machines stay offline");
        });
    }
  }

  private process(readings: readonly Reading[]): void {
    const endTimer = this.metrics.pipelineBatchSeconds.startTimer();
    const out = this.pipeline!.process(readings);
    endTimer();
    this.dispatch(out);
  }

  /**
   * Hand one pipeline output to every sink and live listener; a failing consumer never stops the others.
   * The outboxed sinks append inside one batch of the shared outbox: their sections become one
   * record, one write, so a crash leaves the output with all of them or none. Sinks outside the
   * outbox (the embedded store) come after that write.
   */
  private dispatch(out: PipelineOutput): void {
    if (out.observations.length === 0 && out.events.length === 0 && out.snapshots.length === 0) return;
    for (const e of out.events) this.metrics.events.inc({ type: e.type });
    for (const s of out.snapshots) this.metrics.setMachineState(s.machine, s.state);
    const outbox = this.outbox;
    if (outbox) {
      try {
        outbox.batch(() => {
          for (const sink of this.sinks) if (this.outboxed.has(sink)) this.writeTo(sink, out);
        });
      } catch (err) {
        this.log.error({ err }, "outbox write failed");
      }
    }
    for (const sink of this.sinks) if (!this.outboxed.has(sink)) this.writeTo(sink, out);
    for (const listener of this.listeners) {
      try {
        listener(out);
      } catch (err) {
        this.log.error({ err }, "live listener failed");
      }
    }
  }

  private writeTo(sink: Sink, out: PipelineOutput): void {
    try {
      sink.write(out);
    } catch (err) {
      this.metrics.sinkErrors.inc({ sink: sink.name });
      this.log.error({ err, sink: sink.name }, "sink write failed");
    }
  }
}
