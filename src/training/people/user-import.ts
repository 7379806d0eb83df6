import type { Enrolment, TrainingStore, UserRecord } from "../store/types.ts";
import { CsvError, type CsvRecord, parseCsv } from "./csv.ts";
import { UserInputError, type UserService } from "./users.ts";

// `maskinport users import FILE.csv`: every row is checked first, every
// problem reported with its line, and only a file without problems is
// imported, in one transaction (with the optional course enrolment), so a
// file is never half-imported. Each new user gets a generated password,
// returned once for the caller to hand out.
//
// Columns (header required, any order, case-insensitive):
//   username, name (or displayName), email?, role? (default trainee), badge?

export type ImportProblem = { line: number; message: string };
export type ImportResult =
  | { ok: true; imported: { line: number; userId: string; username: string; password: string }[] }
  | { ok: false; problems: ImportProblem[] };

const COLUMNS: Record<string, "username" | "displayName" | "email" | "role" | "badge"> = {
  username: "username",
  name: "displayName",
  displayname: "displayName",
  email: "email",
  "e-mail": "email",
  role: "role",
  badge: "badge",
};

export async function importUsersCsv(
  text: string,
  users: UserService,
  store: TrainingStore,
  opts: { courseId?: string; clock?: () => number } = {},
): Promise<ImportResult> {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError)
      return { ok: false, problems: [{ line: err.line, message: err.message.replace(/^line \d+: /, "") }] };
    throw err;
  }
  const [header, ...rows] = records;
  if (!header)
    return { ok: false, problems: [{ line: 1, message: "the file is empty; expected a header line" }] };
  const problems: ImportProblem[] = [];
  const columns = header.fields.map((h) => COLUMNS[h.trim().toLowerCase()]);
  header.fields.forEach((h, i) => {
    if (!columns[i]) {
      problems.push({
        line: header.line,
        message: `unknown column "${h}"; expected: username, name, email, role, badge`,
      });
    }
  });
  for (const need of ["username", "displayName"] as const) {
    if (!columns.includes(need)) {
      problems.push({
        line: header.line,
        message: `missing column "${need === "displayName" ? "name" : need}"`,
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  if (opts.courseId !== undefined && !(await store.getCourse(opts.courseId))) {
    return { ok: false, problems: [{ line: 0, message: `no course with id ${opts.courseId}` }] };
  }

  const prepared: { line: number; record: UserRecord; password: string }[] = [];
  const seenUsername = new Map<string, number>();
  const seenBadge = new Map<string, number>();
  // Hashing is the slow part (scrypt, ~0.1 s each): run the rows' preparation
  // concurrently on libuv's thread pool, then check them in file order.
  const shaped = rows.map((row) => {
    if (row.fields.length !== columns.length)
      return { row, problem: `expected ${columns.length} fields, found ${row.fields.length}` };
    const input: Record<string, string> = {};
    row.fields.forEach((v, i) => {
      if (v.trim() !== "") input[columns[i]!] = v.trim();
    });
    return { row, input };
  });
  const settled = await Promise.allSettled(
    shaped.map((s) =>
      s.input
        ? users.prepare({
            username: s.input.username ?? "",
            displayName: s.input.displayName ?? "",
            ...(s.input.email ? { email: s.input.email } : {}),
            ...(s.input.role ? { role: s.input.role as UserRecord["role"] } : {}),
            ...(s.input.badge ? { badge: s.input.badge } : {}),
          })
        : Promise.reject(new Error("unreachable")),
    ),
  );
  for (const [i, { row, problem }] of shaped.entries()) {
    if (problem) {
      problems.push({ line: row.line, message: problem });
      continue;
    }
    const r = settled[i]!;
    if (r.status === "rejected") {
      const err: unknown = r.reason;
      if (!(err instanceof UserInputError)) throw err;
      const column = err.field === "displayName" ? "name" : err.field;
      problems.push({ line: row.line, message: `${column}: ${err.message.slice(err.field.length + 2)}` });
      continue;
    }
    const { record, generatedPassword } = r.value;
    const dupName = seenUsername.get(record.username);
    const dupBadge = record.badge === null ? undefined : seenBadge.get(record.badge);
    if (dupName !== undefined) {
      problems.push({ line: row.line, message: `username "${record.username}" is also on line ${dupName}` });
    } else if (await store.findUserByUsername(record.username)) {
      problems.push({ line: row.line, message: `username "${record.username}" already exists` });
    } else if (dupBadge !== undefined) {
      problems.push({ line: row.line, message: `badge "${record.badge}" is also on line ${dupBadge}` });
    } else if (record.badge !== null && (await store.findUserByBadge(record.badge))) {
      problems.push({ line: row.line, message: `badge "${record.badge}" belongs to another user` });
    } else {
      seenUsername.set(record.username, row.line);
      if (record.badge !== null) seenBadge.set(record.badge, row.line);
      prepared.push({ line: row.line, record, password: generatedPassword! });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  if (prepared.length === 0)
    return { ok: false, problems: [{ line: header.line, message: "no users below the header" }] };

  const now = (opts.clock ?? Date.now)();
  const enrolments: Enrolment[] =
    opts.courseId === undefined
      ? []
      : prepared.map(({ record }) => ({
          courseId: opts.courseId!,
          userId: record.id,
          role: record.role === "trainee" ? "trainee" : "instructor",
          enrolledAt: now,
        }));
  await store.insertUsers(
    prepared.map((p) => p.record),
    enrolments,
  );
  return {
    ok: true,
    imported: prepared.map((p) => ({
      line: p.line,
      userId: p.record.id,
      username: p.record.username,
      password: p.password,
    })),
  };
}
