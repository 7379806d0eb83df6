import type { ApiRoutes } from "../../../src/web/app.ts";

// Stands in for the training API's Evidence, people and courses parts
// (API-CONTRACT.md) until the real one is on main: the catalogue, one
// trainee's progress, F and K with the contract's rules (F by the trainee on
// a proposed goal or by an instructor; K only by an instructor, after F, with
// a comment), notes, a course's matrix, users and courses with admin-only
// writes, and a minimal report.html that shows the marks and sign-off
// comments. Test support only: never served by the gateway.

type Mark = "none" | "P" | "F" | "K";
type GoalState = {
  status: Mark;
  proposedF: boolean;
  dates: { P?: number; F?: number; K?: number };
  signedBy?: string;
  comment?: string;
};
type Person = { id: string; username: string; displayName: string; role: "trainee" | "instructor" | "admin" };

export const FAKE_GOALS = [
  {
    id: "safe-start-stop",
    code: null,
    title: { nb: "Trygg oppstart og nedstenging", en: "Safe start-up and shut-down" },
    assessment: "instructor",
  },
  {
    id: "send-dnc",
    code: null,
    title: { nb: "Sende et program med DNC", en: "Send a program by DNC" },
    assessment: "machine",
  },
  {
    id: "run-lathe",
    code: "KV708-1",
    title: { nb: "Kjøre et utprøvd program i dreiebenk", en: "Run a proven program on a lathe" },
    assessment: "machine",
  },
] as const;

export class FakeEvidenceApi {
  readonly people = new Map<string, Person>([
    ["u-trainee-1", { id: "u-trainee-1", username: "ola", displayName: "Ola Nordmann", role: "trainee" }],
    ["u-trainee-2", { id: "u-trainee-2", username: "siri", displayName: "Kari Elev", role: "trainee" }],
    [
      "u-instructor-1",
      { id: "u-instructor-1", username: "kari", displayName: "Kari Instruktør", role: "instructor" },
    ],
    ["u-admin-1", { id: "u-admin-1", username: "root", displayName: "Admin", role: "admin" }],
  ]);
  readonly courses = [
    {
      id: "c-spring",
      name: "CNC intensiv, vår 2027",
      startDate: "2027-01-04",
      endDate: "2027-01-29",
      instructors: ["u-instructor-1"],
      trainees: ["u-trainee-1", "u-trainee-2"],
    },
  ];
  /** trainee id → goal id → state */
  readonly marks = new Map<string, Map<string, GoalState>>();
  readonly notes: { trainee: string; text: string; goals?: string[]; by: string }[] = [];
  readonly evidence = new Map<
    string,
    { id: number; type: string; ts: number; machine: string | null; summary: string }[]
  >();

  constructor(now = Date.now()) {
    for (const trainee of ["u-trainee-1", "u-trainee-2"]) {
      this.marks.set(
        trainee,
        new Map(FAKE_GOALS.map((g) => [g.id, { status: "none", proposedF: false, dates: {} }])),
      );
    }
    // Ola has sent programs and run cycles: send-dnc is proposed F, run-lathe finished (F) and awaiting K.
    const ola = this.marks.get("u-trainee-1")!;
    ola.set("send-dnc", { status: "P", proposedF: true, dates: { P: now - 3 * 86_400_000 } });
    ola.set("run-lathe", {
      status: "F",
      proposedF: false,
      dates: { P: now - 4 * 86_400_000, F: now - 86_400_000 },
    });
    this.evidence.set("send-dnc", [
      {
        id: 11,
        type: "program.transfer",
        ts: now - 3 * 86_400_000,
        machine: "lathe-1",
        summary: "send O1001.NC · ok",
      },
    ]);
    this.evidence.set("run-lathe", [
      {
        id: 12,
        type: "cycle.completed",
        ts: now - 2 * 86_400_000,
        machine: "lathe-1",
        summary: "O1001 · 2 parts · 4 min",
      },
      {
        id: 13,
        type: "cycle.completed",
        ts: now - 86_400_000,
        machine: "lathe-1",
        summary: "O1001 · 3 parts · 4 min",
      },
    ]);
  }

  private teaches(instructorId: string, traineeId: string): boolean {
    return this.courses.some((c) => c.instructors.includes(instructorId) && c.trainees.includes(traineeId));
  }

  routes(): ApiRoutes {
    return (app, access) => {
      const deny = (
        reply: { code(n: number): { send(b: unknown): unknown } },
        status: number,
        error: string,
      ) => reply.code(status).send({ error, message: error });
      /** The trainee of a /api/trainees/:id route, after the contract's access rule; or an answer already sent. */
      const traineeFor = (viewer: { userId: string; role: string }, id: string, admins = true) => {
        const trainee = this.people.get(id);
        if (trainee?.role !== "trainee") return 404;
        if (viewer.role === "admin") return admins ? trainee : 403;
        if (viewer.userId === id || (viewer.role === "instructor" && this.teaches(viewer.userId, id)))
          return trainee;
        return 403;
      };
      const progressOf = (id: string) =>
        FAKE_GOALS.map((g) => ({
          goalId: g.id,
          ...this.marks.get(id)!.get(g.id)!,
          evidence: id === "u-trainee-1" ? (this.evidence.get(g.id) ?? []) : [],
        }));

      app.get("/api/catalogue", { onRequest: access.requireLogin }, async () => ({ goals: FAKE_GOALS }));

      app.get<{ Params: { id: string } }>(
        "/api/trainees/:id/progress",
        { onRequest: access.requireLogin },
        async (request, reply) => {
          const t = traineeFor(access.sessionOf(request), request.params.id);
          if (typeof t === "number") return deny(reply, t, t === 403 ? "not_your_trainee" : "not_found");
          return { trainee: { id: t.id, name: t.displayName }, goals: progressOf(t.id) };
        },
      );

      app.post<{ Params: { id: string; goalId: string }; Body: { status?: string; comment?: string } }>(
        "/api/trainees/:id/goals/:goalId/status",
        { onRequest: access.requireRole("trainee", "instructor") },
        async (request, reply) => {
          const viewer = access.sessionOf(request);
          const t = traineeFor(viewer, request.params.id, false);
          if (typeof t === "number") return deny(reply, t, t === 403 ? "not_your_trainee" : "not_found");
          const goal = this.marks.get(t.id)!.get(request.params.goalId);
          if (!goal) return deny(reply, 404, "not_found");
          const { status, comment } = request.body ?? {};
          if (status !== "F" && status !== "K") {
            return reply.code(400).send({
              error: "bad_body",
              message: "bad",
              issues: [{ field: "status", message: 'expected "F" or "K"' }],
            });
          }
          const now = Date.now();
          if (status === "K") {
            if (viewer.role !== "instructor") return deny(reply, 403, "forbidden");
            if (!comment?.trim()) {
              return reply.code(400).send({
                error: "bad_body",
                message: "bad",
                issues: [{ field: "comment", message: "required: a signature (K) needs a comment" }],
              });
            }
            if (goal.status !== "F")
              return reply.code(409).send({ error: "not_now", message: "K comes after F" });
            Object.assign(goal, {
              status: "K",
              signedBy: this.people.get(viewer.userId)?.displayName,
              comment: comment.trim(),
            });
            goal.dates.K = now;
          } else {
            if (viewer.role === "trainee" && !goal.proposedF)
              return reply.code(409).send({ error: "not_now", message: "F is not proposed yet" });
            Object.assign(goal, { status: "F", proposedF: false });
            goal.dates.F = now;
            goal.dates.P ??= now;
          }
          return { goalId: request.params.goalId, status, at: now };
        },
      );

      app.post<{ Params: { id: string }; Body: { text?: string; goals?: string[] } }>(
        "/api/trainees/:id/notes",
        { onRequest: access.requireRole("instructor") },
        async (request, reply) => {
          const viewer = access.sessionOf(request);
          const t = traineeFor(viewer, request.params.id, false);
          if (typeof t === "number") return deny(reply, t, t === 403 ? "not_your_trainee" : "not_found");
          const text = request.body?.text?.trim() ?? "";
          if (text === "")
            return reply.code(400).send({
              error: "bad_body",
              message: "bad",
              issues: [{ field: "text", message: "must not be empty" }],
            });
          this.notes.push({ trainee: t.id, text, goals: request.body?.goals, by: viewer.userId });
          return reply
            .code(201)
            .send({ note: { id: this.notes.length, ts: Date.now(), goals: request.body?.goals ?? [] } });
        },
      );

      app.get<{ Params: { id: string } }>(
        "/api/trainees/:id/report.html",
        { onRequest: access.requireLogin },
        async (request, reply) => {
          const t = traineeFor(access.sessionOf(request), request.params.id);
          if (typeof t === "number") return deny(reply, t, t === 403 ? "not_your_trainee" : "not_found");
          const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
          const rows = progressOf(t.id)
            .map(
              (g) =>
                `<tr><td>${esc(g.goalId)}</td><td class="mark">${g.status}</td><td class="comment">${esc(g.comment ?? "")}</td></tr>`,
            )
            .join("");
          return reply
            .type("text/html; charset=utf-8")
            .send(
              `<!doctype html><html lang="nb"><link rel="icon" href="data:,"><title>Kompetansebevis</title><h1>${esc(t.displayName)}</h1><table>${rows}</table></html>`,
            );
        },
      );

      const courseView = (c: (typeof this.courses)[number]) => ({
        id: c.id,
        name: c.name,
        startDate: c.startDate,
        endDate: c.endDate,
      });
      const courseFor = (viewer: { userId: string; role: string }, id: string) => {
        const course = this.courses.find((c) => c.id === id);
        if (!course) return 404;
        if (viewer.role === "instructor" && !course.instructors.includes(viewer.userId)) return 403;
        return course;
      };

      app.get("/api/courses", { onRequest: access.requireLogin }, async (request) => {
        const viewer = access.sessionOf(request);
        const mine = this.courses.filter(
          (c) =>
            viewer.role === "admin" ||
            c.instructors.includes(viewer.userId) ||
            c.trainees.includes(viewer.userId),
        );
        return { courses: mine.map(courseView) };
      });

      app.post<{ Body: { name?: string; startDate?: string; endDate?: string } }>(
        "/api/courses",
        { onRequest: access.requireRole("admin") },
        async (request, reply) => {
          const { name, startDate, endDate } = request.body ?? {};
          if (!name || !startDate || !endDate) {
            return reply.code(400).send({
              error: "bad_body",
              message: "bad",
              issues: [{ field: !name ? "name" : !startDate ? "startDate" : "endDate", message: "required" }],
            });
          }
          const course = {
            id: `c-${this.courses.length + 1}`,
            name,
            startDate,
            endDate,
            instructors: [],
            trainees: [],
          };
          this.courses.push(course);
          return reply.code(201).send({ course: courseView(course) });
        },
      );

      app.get<{ Params: { id: string } }>(
        "/api/courses/:id",
        { onRequest: access.requireRole("instructor", "admin") },
        async (request, reply) => {
          const c = courseFor(access.sessionOf(request), request.params.id);
          if (typeof c === "number") return deny(reply, c, c === 403 ? "not_your_course" : "not_found");
          const person = (id: string) => ({ id, name: this.people.get(id)?.displayName ?? id });
          return {
            course: courseView(c),
            instructors: c.instructors.map(person),
            trainees: c.trainees.map(person),
          };
        },
      );

      app.get<{ Params: { id: string } }>(
        "/api/courses/:id/matrix",
        { onRequest: access.requireRole("instructor", "admin") },
        async (request, reply) => {
          const c = courseFor(access.sessionOf(request), request.params.id);
          if (typeof c === "number") return deny(reply, c, c === 403 ? "not_your_course" : "not_found");
          return {
            goals: FAKE_GOALS.map(({ id, code, title }) => ({ id, code, title })),
            trainees: c.trainees.map((id) => ({
              id,
              name: this.people.get(id)?.displayName ?? id,
              statuses: Object.fromEntries([...this.marks.get(id)!].map(([g, s]) => [g, s.status])),
            })),
          };
        },
      );

      app.get("/api/users", { onRequest: access.requireRole("instructor", "admin") }, async () => ({
        users: [...this.people.values()].map((p) => ({ ...p, disabled: false })),
      }));

      app.post<{ Body: { username?: string; displayName?: string; role?: Person["role"] } }>(
        "/api/users",
        { onRequest: access.requireRole("admin") },
        async (request, reply) => {
          const { username, displayName, role = "trainee" } = request.body ?? {};
          if (!username || !displayName) {
            return reply.code(400).send({
              error: "bad_body",
              message: "bad",
              issues: [{ field: !username ? "username" : "displayName", message: "required" }],
            });
          }
          const user = { id: `u-${username}`, username, displayName, role };
          this.people.set(user.id, user);
          return reply
            .code(201)
            .send({ user: { ...user, disabled: false }, generatedPassword: "generert-passord-123" });
        },
      );
    };
  }
}
