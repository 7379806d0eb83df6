import type { Logger } from "pino";
import type { OnOccupied } from "../config.ts";
import { newId } from "../people/ids.ts";
import { pseudonymOf } from "../people/pseudonym.ts";
import type {
  NewSession,
  Session,
  SessionEndReason,
  SessionSource,
  TrainingStore,
  UserRecord,
} from "../store/types.ts";
import { assertTimeZone, endOfDayAfter } from "./end-of-day.ts";

// Who is at which machine. One trainee per machine and one machine per
// trainee (the store enforces both atomically). The service keeps the open
// sessions in memory, because the pipeline asks "who is at lathe-1?" on
// every event and must get the answer synchronously; the cache is rebuilt
// from the store after every change, including a change made through another
// gateway on a shared PostgreSQL (store.onSessionsChanged), and every
// difference is announced to listeners as session.start / session.end.
//
// Policy when a trainee checks in on a machine someone else holds
// (`onOccupied`): "refuse" (default) answers who is there and since when,
// because a mis-swiped badge must not throw a trainee off mid-cycle;
// "takeover" ends the holder's session. An instructor's assignment always
// takes over: the instructor is in the room and decides. A trainee who
// checks in on a second machine leaves the first ("moved").

export type SessionChange =
  | { type: "session.start"; session: Session; pseudonym: string }
  | { type: "session.end"; session: Session; pseudonym: string };

export type OpenSession = {
  sessionId: string;
  machine: string;
  userId: string;
  pseudonym: string;
  since: number;
  source: SessionSource;
};

export type CheckInRequest = {
  machine: string;
  userId: string;
  /** Who asks: the trainee's own id, or `reader:<id>` for a badge reader. */
  by: string;
  source: "api" | "mqtt" | "demo";
  at?: number;
};

export type CheckInFailure =
  | { ok: false; error: "unknown-machine" }
  | { ok: false; error: "unknown-user" }
  | { ok: false; error: "user-disabled" }
  | { ok: false; error: "not-a-trainee" }
  /** Someone else is there: their user id (the API decides whether to show the name) and since when. */
  | { ok: false; error: "occupied"; holder: OpenSession };

export type CheckInResult =
  | { ok: true; session: OpenSession; already: boolean; ended: Session[] }
  | CheckInFailure;

export type CheckOutResult = { ok: true; session: Session } | { ok: false; error: "not-checked-in" };

export type SessionServiceOptions = {
  store: TrainingStore;
  pseudonymSecret: string;
  /** 0 = never. */
  idleCheckoutMinutes: number;
  endOfDay: string | "off";
  timeZone: string;
  onOccupied: OnOccupied;
  /**
   * The machines this gateway owns. Check-ins on other machines are refused,
   * and idle check-out only looks at these (another gateway sees the others'
   * activity). Undefined = any machine, idle for all.
   */
  machines?: readonly string[];
  clock?: () => number;
  logger?: Logger;
};

export class SessionService {
  readonly #store: TrainingStore;
  readonly #secret: string;
  readonly #idleMs: number;
  readonly #endOfDay: string | "off";
  readonly #timeZone: string;
  readonly #onOccupied: OnOccupied;
  readonly #machines: ReadonlySet<string> | undefined;
  readonly #now: () => number;
  readonly #log: Logger | undefined;
  readonly #listeners = new Set<(c: SessionChange) => void>();
  readonly #open = new Map<string, Session>(); // machine → open session
  readonly #activity = new Map<string, number>(); // machine → last activity
  readonly #pseudonyms = new Map<string, string>(); // user id → pseudonym
  #sync: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  private constructor(opts: SessionServiceOptions) {
    assertTimeZone(opts.timeZone);
    this.#store = opts.store;
    this.#secret = opts.pseudonymSecret;
    this.#idleMs = opts.idleCheckoutMinutes * 60_000;
    this.#endOfDay = opts.endOfDay;
    this.#timeZone = opts.timeZone;
    this.#onOccupied = opts.onOccupied;
    this.#machines = opts.machines && new Set(opts.machines);
    this.#now = opts.clock ?? Date.now;
    this.#log = opts.logger;
  }

  /** Load the open sessions (announced as nothing: they were open before we started) and follow changes. */
  static async start(opts: SessionServiceOptions): Promise<SessionService> {
    const service = new SessionService(opts);
    for (const s of await opts.store.openSessions()) service.#open.set(s.machine, s);
    service.#unsubscribe = opts.store.onSessionsChanged(() => {
      service.refresh().catch(() => {});
    });
    return service;
  }

  /** Check the idle and end-of-day rules every `intervalMs` (the gateway calls this once). */
  startTimers(intervalMs = 15_000): void {
    this.#timer ??= setInterval(() => {
      this.tick().catch((err: unknown) => this.#log?.error({ err }, "session timer failed"));
    }, intervalMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    this.#listeners.clear();
  }

  /** Listen to session.start / session.end (own and other gateways' changes). Returns unsubscribe. */
  on(listener: (c: SessionChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  pseudonymOf(userId: string): string {
    let p = this.#pseudonyms.get(userId);
    if (!p) {
      p = pseudonymOf(this.#secret, userId);
      this.#pseudonyms.set(userId, p);
    }
    return p;
  }

  /** Who is at `machine` now (synchronous: from memory). */
  current(machine: string): OpenSession | undefined {
    const s = this.#open.get(machine);
    return s && this.#view(s);
  }

  /** The pseudonym the pipeline stamps on `machine`'s observations and events, if a trainee is there. */
  currentPseudonym(machine: string): string | undefined {
    const s = this.#open.get(machine);
    return s && this.pseudonymOf(s.userId);
  }

  /** Every open session, by machine. */
  openSessions(): OpenSession[] {
    return [...this.#open.values()]
      .sort((a, b) => a.machine.localeCompare(b.machine))
      .map((s) => this.#view(s));
  }

  /** The open session of a trainee, if any. */
  sessionOf(userId: string): OpenSession | undefined {
    for (const s of this.#open.values()) if (s.userId === userId) return this.#view(s);
    return undefined;
  }

  /** Every session a trainee has had (newest first), for their data export. */
  historyOf(userId: string): Promise<Session[]> {
    return this.#store.listSessions({ userId, limit: 1_000_000 });
  }

  /** Machine activity (any observation): postpones the idle check-out. */
  noteActivity(machine: string, ts: number): void {
    const prev = this.#activity.get(machine);
    if (prev === undefined || ts > prev) this.#activity.set(machine, ts);
  }

  /** A trainee checks in (web, API, badge reader). */
  checkIn(req: CheckInRequest): Promise<CheckInResult> {
    return this.#begin(req.machine, req.userId, req.by, req.source, req.at, this.#onOccupied);
  }

  /** An instructor puts a trainee on a machine; whoever was there is checked out. */
  assign(req: {
    machine: string;
    traineeId: string;
    instructorId: string;
    at?: number;
  }): Promise<CheckInResult> {
    return this.#begin(req.machine, req.traineeId, req.instructorId, "assigned", req.at, "takeover");
  }

  async #begin(
    machine: string,
    userId: string,
    by: string,
    source: SessionSource,
    at: number | undefined,
    onOccupied: OnOccupied,
  ): Promise<CheckInResult> {
    if (this.#machines && !this.#machines.has(machine)) return { ok: false, error: "unknown-machine" };
    const user = await this.#store.getUser(userId);
    const refusal = refuse(user);
    if (refusal) return refusal;
    const s: NewSession = {
      id: newId("s"),
      machine,
      userId,
      startedAt: at ?? this.#now(),
      source,
      startedBy: by,
    };
    const r = await this.#store.startSession(s, onOccupied);
    await this.refresh();
    if (!r.ok) return { ok: false, error: "occupied", holder: this.#view(r.holder) };
    if (!r.already) {
      this.#activity.set(machine, r.session.startedAt);
      // Sessions this start closed (the trainee's other machine, a takeover) end here too:
      // without their line the log would show the trainee on two machines at once.
      for (const closed of r.ended) this.#logEnd(closed);
      this.#log?.info(
        {
          event: "session.start",
          machine,
          session: r.session.id,
          pseudonym: this.pseudonymOf(userId),
          source,
        },
        "checked in",
      );
    }
    return { ok: true, session: this.#view(r.session), already: r.already, ended: r.ended };
  }

  /** Check out of `machine` (by hand: trainee, instructor or reader). */
  async checkOut(req: {
    machine: string;
    by: string | null;
    at?: number;
    userId?: string;
  }): Promise<CheckOutResult> {
    const open =
      this.#open.get(req.machine) ??
      (await this.#store.openSessions()).find((s) => s.machine === req.machine);
    if (!open || (req.userId !== undefined && open.userId !== req.userId))
      return { ok: false, error: "not-checked-in" };
    return this.#end(open, req.at ?? this.#now(), "checkout", req.by);
  }

  /** End a user's open session (e.g. when the user is disabled). */
  async endForUser(
    userId: string,
    reason: SessionEndReason,
    by: string | null,
  ): Promise<Session | undefined> {
    const open = (await this.#store.openSessions()).find((s) => s.userId === userId);
    if (!open) return undefined;
    const r = await this.#end(open, this.#now(), reason, by);
    return r.ok ? r.session : undefined;
  }

  async #end(
    open: Session,
    at: number,
    reason: SessionEndReason,
    by: string | null,
  ): Promise<CheckOutResult> {
    const closed = await this.#store.endSession(open.id, at, reason, by);
    await this.refresh();
    if (!closed) return { ok: false, error: "not-checked-in" };
    this.#logEnd(closed);
    return { ok: true, session: closed };
  }

  #logEnd(closed: Session): void {
    this.#log?.info(
      {
        event: "session.end",
        machine: closed.machine,
        session: closed.id,
        reason: closed.endReason,
        pseudonym: this.pseudonymOf(closed.userId),
      },
      "checked out",
    );
  }

  /**
   * Apply the idle and end-of-day rules at `now`. A session is ended at the
   * moment its rule fired (last activity + idle time, or the end of day),
   * not when this check ran, so time at the machine is not overstated.
   */
  async tick(now = this.#now()): Promise<Session[]> {
    // Also catches changes this process was not told about (the CLI disabling a user on a shared SQLite file).
    await this.refresh();
    const ended: Session[] = [];
    for (const s of [...this.#open.values()]) {
      const deadlines: { at: number; reason: SessionEndReason }[] = [];
      if (this.#idleMs > 0 && (!this.#machines || this.#machines.has(s.machine))) {
        const last = Math.max(s.startedAt, this.#activity.get(s.machine) ?? s.startedAt);
        deadlines.push({ at: last + this.#idleMs, reason: "idle" });
      }
      if (this.#endOfDay !== "off") {
        deadlines.push({
          at: endOfDayAfter(s.startedAt, this.#endOfDay, this.#timeZone),
          reason: "end-of-day",
        });
      }
      const first = deadlines.filter((d) => d.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!first) continue;
      const r = await this.#end(s, first.at, first.reason, null);
      if (r.ok) ended.push(r.session);
    }
    return ended;
  }

  /**
   * Rebuild the in-memory view from the store and announce the differences.
   * Calls are chained, so listeners see changes in order and exactly once.
   */
  refresh(): Promise<void> {
    this.#sync = this.#sync.then(
      () => this.#refreshOnce(),
      () => this.#refreshOnce(),
    );
    return this.#sync;
  }

  async #refreshOnce(): Promise<void> {
    let open: Session[];
    try {
      open = await this.#store.openSessions();
    } catch (err) {
      this.#log?.error({ err }, "could not read open sessions");
      return;
    }
    const next = new Map(open.map((s) => [s.machine, s]));
    const changes: SessionChange[] = [];
    for (const [machine, s] of this.#open) {
      if (next.get(machine)?.id === s.id) continue;
      const closed = (await this.#store.getSession(s.id)) ?? {
        ...s,
        endedAt: this.#now(),
        endReason: "checkout" as const,
        endedBy: null,
      };
      changes.push({ type: "session.end", session: closed, pseudonym: this.pseudonymOf(s.userId) });
    }
    for (const [machine, s] of next) {
      if (this.#open.get(machine)?.id === s.id) continue;
      changes.push({ type: "session.start", session: s, pseudonym: this.pseudonymOf(s.userId) });
    }
    this.#open.clear();
    for (const [m, s] of next) this.#open.set(m, s);
    // Ends before starts, each in time order: a takeover reads "A left, B came".
    changes.sort((a, b) => changeTime(a) - changeTime(b) || (a.type === "session.end" ? -1 : 1));
    for (const c of changes) {
      for (const l of this.#listeners) {
        try {
          l(c);
        } catch (err) {
          this.#log?.error({ err, event: c.type }, "session listener failed");
        }
      }
    }
  }

  #view(s: Session): OpenSession {
    return {
      sessionId: s.id,
      machine: s.machine,
      userId: s.userId,
      pseudonym: this.pseudonymOf(s.userId),
      since: s.startedAt,
      source: s.source,
    };
  }
}

function changeTime(c: SessionChange): number {
  return c.type === "session.end" ? (c.session.endedAt ?? c.session.startedAt) : c.session.startedAt;
}

function refuse(user: UserRecord | undefined): CheckInFailure | undefined {
  if (!user) return { ok: false, error: "unknown-user" };
  if (user.disabled) return { ok: false, error: "user-disabled" };
  if (user.role !== "trainee") return { ok: false, error: "not-a-trainee" };
  return undefined;
}
