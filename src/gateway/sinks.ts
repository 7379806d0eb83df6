import { dirname, join } from "node:path";
import type { Logger } from "pino";
import type { MaskinportConfig } from "../config/schema.ts";
import type { Sink } from "../core/contracts.ts";
import { InfluxHistory } from "../sinks/history/influx-history.ts";
import { InfluxSink } from "../sinks/influx/influx-sink.ts";
import { type GatewayLogin, startEmbeddedBroker } from "../sinks/mqtt/embedded-broker.ts";
import { MqttSink } from "../sinks/mqtt/mqtt-sink.ts";
import { SharedOutbox } from "../sinks/outbox/shared-outbox.ts";
import { EmbeddedTimeseries } from "../sinks/timeseries/embedded-timeseries.ts";
import type { WebDeps } from "../web/server.ts";
import type { StopList } from "./stop-list.ts";

export type StartedSinks = {
  /** In the order each pipeline output reaches them. */
  sinks: Sink[];
  mqtt: MqttSink;
  store: EmbeddedTimeseries | undefined;
  outbox: { log: SharedOutbox; sinks: ReadonlySet<Sink> } | undefined;
  /** What the dashboard's history reads: the embedded store, else InfluxDB (same answers). */
  history: WebDeps["history"];
};

type BuildContext = { log: Logger; version: string; stopList: StopList };

/** Where the MQTT sink connects, and with the embedded broker the gateway's own login there. */
export type BrokerEndpoint = { url: string; login?: GatewayLogin };

/**
 * The embedded broker when `mqtt.embedded` is set. Only the gateway may
 * publish under the prefix there; its login is made at start, never read
 * from the config (src/sinks/mqtt/broker-access.ts).
 */
export async function startBroker(
  config: MaskinportConfig,
  { log, stopList }: BuildContext,
): Promise<BrokerEndpoint> {
  const { mqtt } = config;
  if (!mqtt.embedded) return { url: mqtt.url! };
  const broker = await startEmbeddedBroker({
    ...mqtt.embedded,
    prefix: mqtt.prefix ?? `maskinport/${config.site}`,
    gatewayClientId: mqtt.clientId ?? `maskinport-${config.gateway.id}`,
    log: log.child({ part: "broker" }),
  });
  stopList.add("embedded broker", () => broker.close());
  const host = mqtt.embedded.host === "0.0.0.0" ? "127.0.0.1" : mqtt.embedded.host;
  return { url: `mqtt://${host}:${broker.port}`, login: broker.gatewayLogin };
}

/**
 * The sinks of the config, started. InfluxDB always writes through the
 * shared outbox (it is also its batch buffer); MQTT unless outbox.enabled is
 * false. Sinks close after the adapters have stopped, so their last batch is
 * flushed; the outbox closes after every sink (the stop list runs in reverse).
 */
export async function startSinks(
  config: MaskinportConfig,
  broker: BrokerEndpoint,
  context: BuildContext,
): Promise<StartedSinks> {
  const { log, version, stopList } = context;
  const login = broker.login;
  const members = [
    ...(config.outbox.enabled ? ["mqtt"] : []),
    ...(config.timeseries.influx ? ["influx"] : []),
    // Statements for a Learning Record Store (evidence recorded only with training; training-wiring.ts).
    ...(config.training && config.evidence?.xapi ? ["xapi"] : []),
  ];
  const outbox = members.length > 0 ? openOutbox(config, members, context) : undefined;
  const outboxed = new Set<Sink>();
  const mqtt = new MqttSink({
    url: broker.url,
    username: login ? login.username : config.mqtt.username,
    password: login ? login.password : config.mqtt.password,
    ca: config.mqtt.ca,
    cert: config.mqtt.cert,
    key: config.mqtt.key,
    prefix: config.mqtt.prefix ?? `maskinport/${config.site}`,
    gatewayId: config.gateway.id,
    signalQos: config.mqtt.signalQos,
    clientId: login ? login.clientId : config.mqtt.clientId,
    version,
    log: log.child({ sink: "mqtt" }),
    outbox: config.outbox.enabled ? outbox!.sink("mqtt") : undefined,
  });
  const sinks: Sink[] = [mqtt];
  if (config.outbox.enabled) outboxed.add(mqtt);
  const influx = config.timeseries.influx;
  if (influx) {
    const sink = new InfluxSink({
      ...influx,
      outbox: outbox!.sink("influx"),
      deadLetterPath: join(outbox!.path, "influx", "dead-letter.jsonl"),
      log: log.child({ sink: "influx" }),
    });
    sinks.push(sink);
    outboxed.add(sink);
  }
  const store = config.timeseries.embedded
    ? new EmbeddedTimeseries({ ...config.timeseries.embedded, log: log.child({ sink: "timeseries" }) })
    : undefined;
  if (store) sinks.push(store);
  const started: Sink[] = [];
  for (const sink of sinks) {
    await sink.start();
    started.push(sink);
    stopList.add(`sink ${sink.name}`, () => sink.stop());
  }
  let history: WebDeps["history"];
  if (store) history = store;
  else if (influx) {
    const influxHistory = new InfluxHistory(influx);
    history = influxHistory;
  }
  return { sinks: started, mqtt, store, outbox: outbox && { log: outbox, sinks: outboxed }, history };
}

/**
 * The shared outbox under outbox.path (default: next to the embedded store):
 * one log, a section per sink in each record. Undelivered data of the earlier
 * per-sink folders (outbox.path/mqtt, /influx) is imported at open.
 */
function openOutbox(
  config: MaskinportConfig,
  sinks: string[],
  { log, stopList }: BuildContext,
): SharedOutbox {
  const { outbox, timeseries } = config;
  const path =
    outbox.path ?? (timeseries.embedded ? join(dirname(timeseries.embedded.path), "outbox") : "data/outbox");
  const ob = new SharedOutbox({
    path,
    sinks,
    name: "outbox",
    maxBytes: outbox.maxBytes,
    whenFull: outbox.whenFull,
    durability: outbox.durability,
    log: log.child({ part: "outbox" }),
  });
  ob.open();
  stopList.add("outbox", async () => ob.close());
  return ob;
}
