import type { Logger } from "pino";
import type { MaskinportConfig } from "../config/schema.ts";
import { deadbandsByMachine } from "../pipeline/deadband-config.ts";
import { Pipeline } from "../pipeline/pipeline.ts";
import { redactUrl } from "../sinks/mqtt/mqtt-sink.ts";
import { registerOutboxMetrics } from "../sinks/outbox/outbox-metrics.ts";
import type { SharedOutbox } from "../sinks/outbox/shared-outbox.ts";
import type { EmbeddedTimeseries } from "../sinks/timeseries/embedded-timeseries.ts";
import { registerTimeseriesMetrics } from "../sinks/timeseries/timeseries-metrics.ts";
import { dncApi, NOBODY_CHECKED_IN } from "../web/api/dnc/index.ts";
import { clientLimitsFrom } from "../web/client-address.ts";
import { createMetrics, type Metrics } from "../web/metrics.ts";
import { createWebApp, startWebServer } from "../web/server.ts";
import { createAdapters } from "./adapters.ts";
import { GatewayCore } from "./core.ts";
import { DncFleet } from "./dnc.ts";
import { registerDncMetrics } from "./dnc-metrics.ts";
import type { HealthReport } from "./health.ts";
import { startSimulators } from "./simulators.ts";
import { startBroker, startSinks } from "./sinks.ts";
import { loadSiteConfig } from "./site-config.ts";
import { StallWatchdog } from "./stall-watchdog.ts";
import { StopList } from "./stop-list.ts";
import { wireTraining } from "./training-wiring.ts";

export type GatewayAddresses = { webPort: number; mqttUrl: string };

/**
 * The gateway a config describes: `start()` builds its parts in order —
 * simulators, broker, sinks (and the shared outbox), pipeline, DNC, web app,
 * adapters — and hands them to a GatewayCore (core.ts), which runs them. The
 * only module that knows all the parts; each part knows only the contracts in
 * src/core, and protocols come from the adapter registry. Start order makes
 * every consumer ready before the first reading arrives.
 */
export class Gateway {
  readonly config: MaskinportConfig;
  /** The file the config came from: the admin page shows it and checks it again (check-config). */
  readonly configFile: string | undefined;
  readonly metrics: Metrics;
  readonly #log: Logger;
  readonly #version: string;
  #core: GatewayCore | undefined;
  #stopList: StopList | undefined;
  #outbox: SharedOutbox | undefined;
  #store: EmbeddedTimeseries | undefined;
  #dnc: DncFleet | undefined;
  /** Names the adapter whose input held the event loop (stall-watchdog.ts). */
  readonly watchdog: StallWatchdog;

  constructor(opts: { config: MaskinportConfig; log: Logger; version: string; configFile?: string }) {
    this.config = opts.config;
    this.configFile = opts.configFile;
    this.#log = opts.log;
    this.#version = opts.version;
    this.metrics = createMetrics();
    registerOutboxMetrics(
      this.metrics.registry,
      () => this.#outbox?.members() ?? [],
      () => (this.#outbox ? [this.#outbox] : []),
    );
    registerTimeseriesMetrics(this.metrics.registry, () => this.#store);
    this.watchdog = new StallWatchdog({
      log: this.#log.child({ part: "watchdog" }),
      registry: this.metrics.registry,
    });
  }

  async start(): Promise<GatewayAddresses> {
    const { config } = this;
    const log = this.#log;
    const stopList = new StopList();
    this.#stopList = stopList;
    const context = { log, version: this.#version, stopList };
    try {
      for (const sim of await startSimulators(config.simulators, log)) {
        stopList.add(`simulator ${sim.describe}`, () => sim.close());
        log.info({ simulator: sim.describe }, "simulator started");
      }

      const broker = await startBroker(config, context);
      const mqttUrl = broker.url;
      const sinks = await startSinks(config, broker, context);
      this.#outbox = sinks.outbox?.log;
      this.#store = sinks.store;

      const machineIds = config.machines.map((m) => m.id);
      // Continue after every seq any store or outbox has seen: a seq is never reused.
      const lastSeq = Math.max(sinks.store?.latestSeq() ?? 0, this.#outbox?.lastSeq() ?? 0);
      const core = new GatewayCore({
        pipeline: new Pipeline({
          machines: machineIds,
          firstSeq: lastSeq + 1,
          machineDeadbands: deadbandsByMachine(config.machines),
        }),
        sinks: sinks.sinks,
        outbox: sinks.outbox,
        metrics: this.metrics,
        log,
        stopList,
        mqtt: sinks.mqtt,
        watchdog: this.watchdog,
      });
      this.#core = core;

      const dncMetrics = registerDncMetrics(this.metrics.registry);
      this.#dnc = new DncFleet({
        machines: config.machines,
        libraryPath: config.library.path,
        log: log.child({ part: "dnc" }),
        // Transfers are events of their machine, tagged with the trainee's session like any other.
        onEvent: (event) => {
          dncMetrics.record(event);
          core.publishEvent(event);
        },
      });
      const dnc = this.#dnc;
      stopList.add("dnc", () => dnc.stop());

      // People, sessions and evidence (config `training:`), before the web app that logs people in.
      const people = await wireTraining(config, core, {
        mqtt: sinks.mqtt,
        outbox: sinks.outbox?.log,
        metrics: this.metrics.registry,
        log,
        stopList,
      });

      const app = createWebApp(
        {
          snapshots: () => core.pipeline.snapshots(),
          machines: () => config.machines.map((m) => ({ id: m.id, name: m.name, kind: m.kind })),
          onUpdate: (listener) => core.onUpdate(listener),
          health: () => core.health(),
          metrics: this.metrics.registry,
          history: sinks.history,
          timeZone: config.gateway.timeZone,
          ...(config.web.shiftStarts ? { shiftStarts: config.web.shiftStarts } : {}),
          log: log.child({ part: "web" }),
          siteConfig: { config, file: this.configFile, load: (file) => loadSiteConfig(file) },
          ...(people ? { cycleWho: people.cycleWho } : {}),
          ...(config.web.trustedProxies ? { trustProxy: config.web.trustedProxies } : {}),
          // Without a training section there are no users: login answers 503.
          auth: {
            ...(people ? { authenticator: people.authenticator, sessions: people.webSessions } : {}),
            liveRequiresLogin: config.web.liveRequiresLogin,
            secureCookies: config.web.secureCookies,
          },
          apiRoutes: [
            ...(people ? [people.apiRoutes] : []),
            // Program upload from the browser, on the DncFleet's own lines; a trainee must be checked in there.
            ...(dnc.library
              ? [
                  dncApi({
                    lines: () => dnc.lines(),
                    library: dnc.library,
                    checkIns: people?.checkIns ?? NOBODY_CHECKED_IN,
                    maxProgramBytes: config.web.maxProgramBytes,
                    timeZone: config.gateway.timeZone,
                    log: log.child({ part: "web" }),
                  }),
                ]
              : []),
          ],
        },
        clientLimitsFrom(config.web),
      );
      const server = await startWebServer(app, config.web);
      stopList.add("web server", () => server.close());

      core.run(await createAdapters(config.machines, log));
      people?.startDemoDay((machine) => dnc.get(machine));
      log.info(
        { web: server.port, mqtt: redactUrl(mqttUrl), machines: machineIds.length },
        "gateway started",
      );
      return { webPort: server.port, mqttUrl };
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Adapters first, then everything buffered is flushed and each part closed in reverse order. */
  async stop(): Promise<void> {
    const core = this.#core;
    const stopList = this.#stopList;
    this.#core = undefined;
    this.#stopList = undefined;
    if (core) await core.stop();
    else await stopList?.closeAll(this.#log);
    this.#outbox = undefined;
  }

  health(): HealthReport {
    return this.#core?.health() ?? { status: "down", checks: { gateway: { ok: false } } };
  }

  /** The DNC side of a machine (send, receive, drip-feed), if it has one. */
  dnc(machine: string) {
    return this.#dnc?.get(machine);
  }
}
