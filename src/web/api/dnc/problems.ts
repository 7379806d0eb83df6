import type { ValidationReport } from "../../../dnc/validate.ts";

/** One validation problem as the page shows it: where, how bad, and what to do. */
export type ProblemView = {
  line: number;
  column?: number;
  severity: "error" | "warning";
  /** Stable id (validate.ts VALIDATION_CODES): the page shows a translated headline for it. */
  code: string;
  /** The engine's sentence, in English, naming the fix. */
  message: string;
};

export type ValidationView = {
  ok: boolean;
  errors: number;
  warnings: number;
  problems: ProblemView[];
  /** Bytes the control stores, and lines in the file. */
  bytes: number;
  lines: number;
};

export function validationView(report: ValidationReport): ValidationView {
  return {
    ok: report.ok,
    errors: report.errors,
    warnings: report.warnings,
    problems: report.messages.map((m) => ({
      line: m.line,
      ...(m.column !== undefined ? { column: m.column } : {}),
      severity: m.severity,
      code: m.code,
      message: m.message,
    })),
    bytes: report.bytes,
    lines: report.lines,
  };
}
