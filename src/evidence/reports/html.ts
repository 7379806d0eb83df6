import { formatDate, escapeHtml as h } from "./format.ts";
import type { Lang, ReportGoal, TraineeReport } from "./model.ts";

const T = {
  nb: {
    title: "Kompetansebevis",
    trainee: "Elev",
    course: "Kurs",
    made: "Laget",
    goal: "Mål",
    mark: "Merke",
    begun: "Påbegynt (P)",
    finished: "Ferdig (F)",
    signed: "Kvittert (K)",
    evidence: "Bevis",
    hours: "Timer ved maskinene",
    kind: "Maskintype",
    signatures: "Signaturer",
    instructor: "Instruktør",
    apprentice: "Elevens signatur",
    company: "Kontrollert og godkjent av bedrift",
    date: "Dato",
    none: "–",
    proposed: "foreslått",
    instructorAssessed: "vurderes av instruktør",
    serves: "Dekker",
    servedBy: "Dekkes av",
    chain: "Kjedens hode (kontroll med «maskinport evidence verify»)",
    types: {
      "cycle.completed": "fullførte sykluser",
      "cycle.aborted": "avbrutte sykluser",
      "program.transfer": "programoverføringer",
      "alarm.handled": "alarmer håndtert",
      "session.ended": "økter",
    } as Record<string, string>,
    on: "på",
    programs: "program",
  },
  en: {
    title: "Competence record",
    trainee: "Trainee",
    course: "Course",
    made: "Made",
    goal: "Goal",
    mark: "Mark",
    begun: "Begun (P)",
    finished: "Finished (F)",
    signed: "Signed (K)",
    evidence: "Evidence",
    hours: "Hours at the machines",
    kind: "Machine kind",
    signatures: "Signatures",
    instructor: "Instructor",
    apprentice: "Trainee's signature",
    company: "Checked and approved by the company",
    date: "Date",
    none: "–",
    proposed: "proposed",
    instructorAssessed: "assessed by an instructor",
    serves: "Serves",
    servedBy: "Served by",
    chain: "Chain head (check with “maskinport evidence verify”)",
    types: {
      "cycle.completed": "completed cycles",
      "cycle.aborted": "aborted cycles",
      "program.transfer": "program transfers",
      "alarm.handled": "alarms handled",
      "session.ended": "sessions",
    } as Record<string, string>,
    on: "on",
    programs: "programs",
  },
} satisfies Record<Lang, unknown>;

// A4 portrait, system fonts only, no external assets: it must print from any
// browser on a workshop PC without network, and look the same on paper.
const CSS = `
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.35 system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #111; margin: 0; }
main { max-width: 182mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 0.3mm solid #444; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 4mm; margin: 0 0 4mm; }
dl.meta dt { font-weight: 600; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 1.5mm; border-bottom: 0.2mm solid #bbb; }
th { font-size: 9pt; background: #eee; }
tr { break-inside: avoid; }
td.mark { font-weight: 700; font-size: 12pt; text-align: center; width: 12mm; }
.small { font-size: 8.5pt; color: #333; }
.sign { display: grid; grid-template-columns: 1fr 1fr; gap: 10mm; margin-top: 10mm; break-inside: avoid; }
.sign div { border-top: 0.3mm solid #000; padding-top: 1mm; min-height: 14mm; }
code { font: 8pt ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
@media screen { body { background: #f4f4f4; } main { background: #fff; padding: 12mm; margin: 8mm auto; box-shadow: 0 0 3mm #ccc; } }
`;

function evidenceCell(g: ReportGoal, r: TraineeReport): string {
  const t = T[r.lang];
  const e = g.evidence;
  if (e.records === 0) return t.none;
  const counts = Object.entries(e.counts)
    .map(([type, n]) => `${n} ${h(t.types[type] ?? type)}`)
    .join(", ");
  const when =
    e.firstAt === e.lastAt
      ? formatDate(e.firstAt, r.lang, r.timeZone)
      : `${formatDate(e.firstAt, r.lang, r.timeZone)}–${formatDate(e.lastAt, r.lang, r.timeZone)}`;
  const machines = e.machines.length ? ` ${t.on} ${e.machines.map(h).join(", ")}` : "";
  const programs = e.programs.length
    ? `<br><span class="small">${t.programs}: ${e.programs.map(h).join(", ")}</span>`
    : "";
  return `${counts}${machines}<br><span class="small">${h(when)}</span>${programs}`;
}

function goalRow(g: ReportGoal, r: TraineeReport): string {
  const t = T[r.lang];
  const d = (ts: number | undefined) => h(formatDate(ts, r.lang, r.timeZone)) || t.none;
  const code = g.code ? ` <span class="small">(${h(g.code)})</span>` : "";
  const link = g.link ? ` <span class="small">${h(g.link)}</span>` : "";
  const rel = [
    g.serves.length ? `${t.serves}: ${g.serves.map(h).join(", ")}` : "",
    g.servedBy.length ? `${t.servedBy}: ${g.servedBy.map(h).join(", ")}` : "",
    g.assessment === "instructor" ? t.instructorAssessed : "",
  ]
    .filter(Boolean)
    .join(" · ");
  const finished =
    g.finishedAt !== undefined
      ? `${d(g.finishedAt)}${g.finishedBy ? `<br><span class="small">${h(g.finishedBy)}</span>` : ""}`
      : g.proposedAt !== undefined
        ? `<span class="small">${t.proposed} ${d(g.proposedAt)}</span>`
        : t.none;
  const signed =
    g.signedAt !== undefined
      ? `${d(g.signedAt)}<br><span class="small">${h(g.signedBy ?? "")}${g.comment ? `: ${h(g.comment)}` : ""}</span>`
      : t.none;
  return `<tr><td><strong>${h(g.id)}</strong>${code} ${h(g.title)}${link}<br><span class="small">${rel}</span></td><td class="mark">${g.mark === "none" ? t.none : h(g.mark)}</td><td>${d(g.begunAt)}</td><td>${finished}</td><td>${signed}</td><td>${evidenceCell(g, r)}</td></tr>`;
}

/** The report as one self-contained HTML page, A4 print layout. Every value is escaped. */
export function renderReportHtml(r: TraineeReport): string {
  const t = T[r.lang];
  const catalogues = [...new Set(r.goals.map((g) => g.catalogue))];
  const sections = catalogues
    .map((c) => {
      const rows = r.goals
        .filter((g) => g.catalogue === c)
        .map((g) => goalRow(g, r))
        .join("\n");
      return `<h2>${h(c)}</h2>
<table><thead><tr><th>${t.goal}</th><th>${t.mark}</th><th>${t.begun}</th><th>${t.finished}</th><th>${t.signed}</th><th>${t.evidence}</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
    })
    .join("\n");
  const hours = Object.entries(r.hoursByKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `<tr><td>${h(k)}</td><td>${h(v.toFixed(1))}</td></tr>`)
    .join("");
  const chain = r.chainHead
    ? `<p class="small">${t.chain}: #${r.chainHead.seq} <code>${h(r.chainHead.hash)}</code></p>`
    : "";
  return `<!doctype html>
<html lang="${r.lang === "nb" ? "nb" : "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(t.title)} – ${h(r.trainee)}</title>
<style>${CSS}</style>
</head>
<body><main>
<h1>${h(t.title)}</h1>
<dl class="meta"><dt>${t.trainee}</dt><dd>${h(r.trainee)}</dd><dt>${t.course}</dt><dd>${h(r.course)}</dd><dt>${t.made}</dt><dd>${h(formatDate(r.generatedAt, r.lang, r.timeZone))}</dd></dl>
${sections}
<h2>${t.hours}</h2>
<table><thead><tr><th>${t.kind}</th><th>h</th></tr></thead><tbody>${hours || `<tr><td colspan="2">${t.none}</td></tr>`}</tbody></table>
<h2>${t.signatures}</h2>
<div class="sign"><div>${t.apprentice}<br><span class="small">${t.date}</span></div><div>${t.instructor}<br><span class="small">${t.date}</span></div><div>${t.company}<br><span class="small">${t.date}</span></div></div>
${chain}
</main></body>
</html>
`;
}
