import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { renderReportHtml } from "../../evidence/reports/html.ts";
import { buildTraineeReport, type Lang } from "../../evidence/reports/model.ts";
import { renderCourseSummaryCsv, renderReportCsv, renderReportJson } from "../../evidence/reports/tabular.ts";
import type { EvidenceService } from "../../evidence/service.ts";
import type { User } from "../../training/store/types.ts";
import type { AccessControl } from "../auth/access.ts";
import { HttpError } from "../responses.ts";
import type { TrainingApiDeps } from "./deps.ts";
import { courseRosterFor, type TraineeParams, traineeFor } from "./trainee-access.ts";

// The trainee report an instructor hands to the apprenticeship company
// (HTML for print, JSON, CSV) and a course's trainees × goals as CSV. The
// evidence side renders; this file gathers the names it needs (the ledger
// holds none) and checks who asks.

const REPORT_QUERY = z
  .object({ lang: z.enum(["nb", "en"], { error: 'expected lang "nb" or "en"' }).optional() })
  .strict();

/** The report's own stylesheet is inline (it must print from a saved file); no script runs in it. */
const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

type Format = "html" | "json" | "csv";

export function reportRoutes(
  app: FastifyInstance,
  access: AccessControl,
  deps: TrainingApiDeps,
  evidence: EvidenceService,
): void {
  const { users, courses } = deps;
  const now = deps.clock ?? Date.now;

  const report = async (trainee: User, lang: Lang) => {
    const [states, records] = await Promise.all([
      evidence.marksOf(trainee.id),
      evidence.recordsOf(trainee.id),
    ]);
    // The ledger names signers by keyed subject: look the few of them up before rendering.
    const names = new Map<string, string>();
    const comments = new Map<string, string>();
    for (const st of states.values()) {
      for (const subject of [st.finishedBy, st.signedBy]) {
        if (subject === undefined || names.has(subject)) continue;
        const id = await evidence.personOfSubject(subject);
        const user = id === undefined ? undefined : await users.get(id);
        if (user) names.set(subject, user.displayName);
      }
      if (st.signedCommentRef !== undefined) {
        const text = await evidence.noteText(st.signedCommentRef);
        if (text !== undefined) comments.set(st.signedCommentRef, text);
      }
    }
    const enrolled = (await courses.coursesOf(trainee.id)).filter((c) => c.role === "trainee");
    return buildTraineeReport({
      lang,
      timeZone: deps.timeZone ?? "Europe/Oslo",
      generatedAt: now(),
      traineeName: trainee.displayName,
      courseName: enrolled.map((c) => c.course.name).join(", "),
      catalogue: evidence.catalogue,
      records,
      states,
      nameOfSubject: (s) => names.get(s),
      comments,
    });
  };

  const route = (format: Format) =>
    app.get<TraineeParams>(
      `/api/trainees/:id/report.${format}`,
      { onRequest: access.requireLogin },
      async (request, reply) => {
        const query = parseQuery(request.query);
        const { trainee } = await traineeFor(request, access, deps);
        const r = await report(trainee, query.lang ?? "nb");
        if (format === "html") {
          return send(reply, "text/html; charset=utf-8", renderReportHtml(r), {
            "Content-Security-Policy": REPORT_CSP,
          });
        }
        const body = format === "json" ? renderReportJson(r) : renderReportCsv(r);
        const type = format === "json" ? "application/json; charset=utf-8" : "text/csv; charset=utf-8";
        return send(reply, type, body, {
          "Content-Disposition": `attachment; filename="report-${trainee.id}.${format}"`,
        });
      },
    );
  route("html");
  route("json");
  route("csv");

  app.get<TraineeParams>(
    "/api/courses/:id/summary.csv",
    { onRequest: access.requireRole("instructor", "admin") },
    async (request, reply) => {
      const roster = await courseRosterFor(request, access, deps);
      const rows = [];
      for (const t of roster.trainees)
        rows.push({ name: t.displayName, states: await evidence.marksOf(t.id) });
      return send(reply, "text/csv; charset=utf-8", renderCourseSummaryCsv(evidence.catalogue, rows), {
        "Content-Disposition": `attachment; filename="summary-${roster.course.id}.csv"`,
      });
    },
  );
}

function parseQuery(query: unknown): z.infer<typeof REPORT_QUERY> {
  const parsed = REPORT_QUERY.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    parameter: i.path.length > 0 ? i.path.map(String).join(".") : "keys" in i ? String(i.keys) : "query",
    message: i.message,
  }));
  throw new HttpError(400, "bad_query", issues.map((i) => `${i.parameter}: ${i.message}`).join("; "), {
    issues,
  });
}

/** Personal data: never cached, by the browser or anything between. */
function send(
  reply: FastifyReply,
  type: string,
  body: string,
  headers: Record<string, string>,
): FastifyReply {
  return reply
    .code(200)
    .headers({ "Cache-Control": "no-store", ...headers })
    .type(type)
    .send(body);
}
