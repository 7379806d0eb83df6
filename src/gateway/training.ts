import type { MqttClient } from "mqtt";
import type { Logger } from "pino";
import { MqttCheckin } from "../training/checkin/mqtt-checkin.ts";
import { pseudonymSecretOf, type TrainingConfig } from "../training/config.ts";
import { type CourseDay, startCourseDay } from "../training/demo/course-day.ts";
import { DEMO_USERS, seedDemo } from "../training/demo-seed.ts";
import { CourseService } from "../training/people/courses.ts";
import { UserService } from "../training/people/users.ts";
import { SessionService } from "../training/sessions/sessions.ts";
import { openTrainingStore } from "../training/store/open.ts";
import type { TrainingStore } from "../training/store/types.ts";
import { userAuthenticator } from "../web/api/user-authenticator.ts";
import type { Authenticator } from "../web/auth/authenticator.ts";
import { openSessionStore } from "../web/auth/open-session-store.ts";
import type { WebSessionStore } from "../web/auth/session-store.ts";

/**
 * The training layer as one gateway runs it (config `training:`): the
 * store (SQLite file, or the site's PostgreSQL), the user, course and
 * session services, the web login over them, and — once the gateway
 * has its MQTT connection and pipeline — the MQTT check-in command and, in
 * the demo, the scripted course day. `close()` stops them in reverse.
 */
export type Training = {
  readonly store: TrainingStore;
  readonly users: UserService;
  readonly courses: CourseService;
  readonly sessions: SessionService;
  readonly authenticator: Authenticator;
  /**
   * Web login sessions next to the users: in the SQLite file, or in the site's
   * PostgreSQL (shared by its gateways and reached by the CLI).
   */
  readonly webSessions: WebSessionStore;
  /** Answer check-in commands on `<prefix>/+/cmd/checkin` over the gateway's own connection. */
  startMqttCheckin(client: MqttClient, prefix: string): Promise<void>;
  /**
   * `training.demo`: trainees start checking in on the machines (call after
   * the pipeline is wired); `afterCheckIn` e.g. sends their program by DNC.
   */
  startDemoDay(afterCheckIn?: (machine: string, traineeId: string) => Promise<void>): void;
  close(): Promise<void>;
};

export type TrainingOptions = {
  /** This gateway's machines, in config order (the demo uses the first ones first). */
  machines: readonly string[];
  timeZone: string;
  log: Logger;
  /** Where the demo logins are printed once at start (default: the console, not the log). */
  print?: (text: string) => void;
};

export async function startTraining(cfg: TrainingConfig, opts: TrainingOptions): Promise<Training> {
  const log = opts.log.child({ part: "training" });
  // A dropped idle connection is logged, not fatal: the pool reconnects. Only the message: no URL.
  const onError = (err: Error, where: string) =>
    log.warn({ where, error: err.message }, "PostgreSQL connection lost; reconnecting");
  const store = await openTrainingStore(cfg, { onError });
  const closers: (() => Promise<void> | void)[] = [() => store.close()];
  let closed = false;
  const close = async () => {
    closed = true;
    for (const c of closers.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn({ err }, "error while stopping the training layer");
      }
    }
  };
  try {
    const users = new UserService(store, { logger: log });
    const courses = new CourseService(store);
    const seed = cfg.demo ? await seedDemo(store) : undefined;
    const sessions = await SessionService.start({
      store,
      pseudonymSecret: pseudonymSecretOf(cfg),
      idleCheckoutMinutes: cfg.idleCheckoutMinutes,
      endOfDay: cfg.endOfDay,
      timeZone: opts.timeZone,
      onOccupied: cfg.onOccupied,
      machines: opts.machines,
      logger: log,
    });
    closers.push(() => sessions.close());
    sessions.startTimers();
    const webSessions = await openSessionStore(cfg, { onError: (err) => onError(err, "web sessions") });
    closers.push(() => webSessions.close());
    if (seed) (opts.print ?? console.log)(demoLogins());
    log.info(
      { store: store.kind, demo: cfg.demo, open: sessions.openSessions().length },
      "training layer started",
    );

    let day: CourseDay | undefined;
    let demoRequested = false;
    return {
      store,
      users,
      courses,
      sessions,
      authenticator: userAuthenticator(users),
      webSessions,
      async startMqttCheckin(client, prefix) {
        const checkin = new MqttCheckin({
          client,
          prefix,
          readers: cfg.checkinReaders,
          sessions,
          users,
          logger: log.child({ part: "checkin" }),
        });
        await checkin.start();
        closers.push(() => checkin.stop());
      },
      startDemoDay(afterCheckIn) {
        if (!seed || demoRequested) return;
        demoRequested = true;
        const start = () => {
          if (closed) return; // the gateway stopped while the rules were applied
          day = startCourseDay({
            sessions,
            trainees: seed.trainees.map((t) => t.id),
            machines: opts.machines,
            log: log.child({ component: "demo" }),
            ...(afterCheckIn ? { afterCheckIn } : {}),
          });
        };
        closers.push(() => day?.stop());
        // A restarted demo first ends what the previous run left open past its idle time or end of
        // day, so that everyone arrives afresh instead of coming back one per step.
        sessions.tick().then(start, (err: unknown) => {
          log.warn({ err }, "demo: could not apply the session rules before the course day");
          start();
        });
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The demo's public logins, as a small table: usernames and passwords only, never the names. */
export function demoLogins(): string {
  const rows = DEMO_USERS.map((u) => `  ${u.username.padEnd(12)} ${u.password.padEnd(18)} ${u.role}`);
  return ["Demo logins (public; training.demo is on, never use it for real trainees):", ...rows].join("\n");
}
