// The one table `npm run bench` prints: one row per figure, its goal and
// whether it was met. Rows without a goal are context (baselines, CPU cost).

export type Verdict = "pass" | "FAIL" | "info" | "error";

export type BenchRow = {
  /** What was measured, e.g. "SHDR parse + normalise, okuma.txt". */
  what: string;
  /** The figure as text, e.g. "612 k lines/s". */
  measured: string;
  /** The goal as text, e.g. "≥ 500 k lines/s"; empty for context rows. */
  goal: string;
  verdict: Verdict;
  /** Anything the reader needs to judge the figure (loss, CPU, spread). */
  note?: string;
};

/** Verdict for "higher is better" figures. */
export function atLeast(value: number, goal: number): Verdict {
  if (!Number.isFinite(value)) return "error";
  return value >= goal ? "pass" : "FAIL";
}

/** Verdict for "lower is better" figures. */
export function atMost(value: number, goal: number): Verdict {
  if (!Number.isFinite(value)) return "error";
  return value <= goal ? "pass" : "FAIL";
}

// Column widths count code points, so "≥" and "µ" line up like ASCII.
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, n: number): string {
  return s + " ".repeat(Math.max(0, n - width(s)));
}

/** Renders sections of rows as one aligned plain-text table. */
export function renderTable(sections: { title: string; rows: BenchRow[] }[]): string {
  const header: [string, string, string, string, string] = ["measure", "measured", "goal", "result", "note"];
  const all = sections.flatMap((s) => s.rows);
  const cols = [
    Math.max(width(header[0]), ...all.map((r) => width(r.what) + 2)),
    Math.max(width(header[1]), ...all.map((r) => width(r.measured))),
    Math.max(width(header[2]), ...all.map((r) => width(r.goal))),
    Math.max(width(header[3]), ...all.map((r) => width(r.verdict))),
  ] as const;
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < cols.length ? pad(c, cols[i] as number) : c))
      .join("  ")
      .trimEnd();
  const rule = "-".repeat(cols.reduce((a, b) => a + b + 2, 0) + 20);
  const out = [line(header), rule];
  for (const section of sections) {
    out.push(section.title);
    for (const r of section.rows) {
      out.push(line([`  ${r.what}`, r.measured, r.goal, r.verdict, r.note ?? ""]));
    }
  }
  return out.join("\n");
}
