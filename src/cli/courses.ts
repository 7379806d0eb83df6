import { CourseService } from "../training/people/courses.ts";
import { UserService } from "../training/people/users.ts";
import { COURSE_ROLES, type CourseRole } from "../training/store/types.ts";
import {
  type CliIo,
  readSubcommandLine,
  runOnTrainingStore,
  STORE_OPTIONS,
  STORE_USAGE,
  say,
  table,
} from "./training-cli-common.ts";

// `maskinport courses …`: cohorts and who is in them.

const USAGE = `Usage:
  maskinport courses add --name "CNC intensiv vår 2027" --start YYYY-MM-DD --end YYYY-MM-DD
  maskinport courses list [--json]
  maskinport courses enrol COURSE USER... [--as trainee|instructor]
       (USER = id or username; the course role defaults to the user's role)
${STORE_USAGE}`;

const OPTIONS = {
  ...STORE_OPTIONS,
  name: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  as: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function coursesCli(argv: string[], io: CliIo = process): Promise<number> {
  const line = readSubcommandLine("courses", USAGE, OPTIONS, argv, io);
  if (typeof line === "number") return line;
  const { values, sub, args, usageError, fail } = line;
  if (!["add", "list", "enrol"].includes(sub)) return usageError(`unknown subcommand "${sub}"`);
  if (
    sub === "add" &&
    (values.name === undefined || values.start === undefined || values.end === undefined)
  ) {
    return usageError("give --name, --start and --end");
  }
  if (sub === "enrol" && args.length < 2) return usageError("give a course id and at least one user");
  if (values.as !== undefined && !(COURSE_ROLES as readonly string[]).includes(values.as)) {
    return usageError(`--as must be one of ${COURSE_ROLES.join(", ")}`);
  }

  return runOnTrainingStore(values, fail, async (store) => {
    const courses = new CourseService(store);
    if (sub === "add") {
      const c = await courses.add({ name: values.name!, startDate: values.start!, endDate: values.end! });
      say(io.stdout, `added course ${c.name} (id ${c.id}), ${c.startDate} – ${c.endDate}`);
      return 0;
    }
    if (sub === "list") {
      const list = await courses.list();
      const withCounts = await Promise.all(
        list.map(async (c) => {
          const r = await courses.roster(c.id);
          return { ...c, trainees: r?.trainees.length ?? 0, instructors: r?.instructors.length ?? 0 };
        }),
      );
      if (values.json) say(io.stdout, JSON.stringify(withCounts, null, 2));
      else if (list.length === 0) say(io.stdout, "no courses");
      else
        say(
          io.stdout,
          table([
            ["ID", "NAME", "START", "END", "TRAINEES", "INSTRUCTORS"],
            ...withCounts.map((c) => [
              c.id,
              c.name,
              c.startDate,
              c.endDate,
              String(c.trainees),
              String(c.instructors),
            ]),
          ]),
        );
      return 0;
    }
    const [courseId, ...who] = args;
    const users = new UserService(store);
    const ids: string[] = [];
    for (const w of who) {
      const u = await users.resolve(w);
      if (!u) return fail(`no user "${w}" (give an id or a username); nobody enrolled`);
      ids.push(u.id);
    }
    await courses.enrol(courseId!, ids, values.as as CourseRole | undefined);
    say(io.stdout, `enrolled ${ids.length} user${ids.length === 1 ? "" : "s"} in ${courseId}`);
    return 0;
  });
}
