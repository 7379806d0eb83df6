import { readFileSync } from "node:fs";
import { importUsersCsv } from "../training/people/user-import.ts";
import { UserService } from "../training/people/users.ts";
import { ROLES, type Role, type TrainingStore } from "../training/store/types.ts";
import {
  type CliIo,
  endWebLogins,
  passwordFromStdin,
  readSubcommandLine,
  runOnTrainingStore,
  STORE_OPTIONS,
  STORE_USAGE,
  say,
  table,
  webLoginsEnded,
} from "./training-cli-common.ts";

// `maskinport users …`: the roster from a terminal. A password is never an
// argument (shell history, `ps`): it is piped on stdin with --password-stdin,
// or generated and printed once.

const USAGE = `Usage:
  maskinport users add USERNAME --name "Full Name" [--role trainee|instructor|admin]
                       [--email ADDR] [--badge ID] [--password-stdin]
  maskinport users list [--role ROLE] [--all] [--json]
  maskinport users disable USER            (USER = id or username; ends an open session
                                          and the user's web logins)
  maskinport users enable USER
  maskinport users reset-password USER [--password-stdin]   (ends the user's web logins)
  maskinport users import FILE.csv [--course COURSE_ID]
       CSV header: username,name,email,role,badge (email, role, badge optional; ',' or ';')
Without --password-stdin a password is generated and printed once.
${STORE_USAGE}`;

const OPTIONS = {
  ...STORE_OPTIONS,
  name: { type: "string" },
  role: { type: "string" },
  email: { type: "string" },
  badge: { type: "string" },
  "password-stdin": { type: "boolean" },
  all: { type: "boolean" },
  json: { type: "boolean" },
  course: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function usersCli(argv: string[], io: CliIo = process): Promise<number> {
  const line = readSubcommandLine("users", USAGE, OPTIONS, argv, io);
  if (typeof line === "number") return line;
  const { values, sub, args, usageError, fail } = line;
  if (values.role !== undefined && !(ROLES as readonly string[]).includes(values.role)) {
    return usageError(`--role must be one of ${ROLES.join(", ")}`);
  }
  const role = values.role as Role | undefined;

  const needsOne = ["add", "disable", "enable", "reset-password", "import"];
  if (!["list", ...needsOne].includes(sub)) return usageError(`unknown subcommand "${sub}"`);
  if (needsOne.includes(sub) && args.length !== 1) return usageError("expected exactly one argument");
  if (sub === "list" && args.length > 0) return usageError("takes no arguments");

  return runOnTrainingStore(values, fail, async (store, where) => {
    const users = new UserService(store);
    switch (sub) {
      case "add": {
        if (values.name === undefined) return usageError('give the name: --name "Full Name"');
        const password = values["password-stdin"] ? await passwordFromStdin(io.stdin) : undefined;
        const r = await users.add(
          {
            username: args[0]!,
            displayName: values.name,
            ...(role ? { role } : {}),
            ...(values.email !== undefined ? { email: values.email } : {}),
            ...(values.badge !== undefined ? { badge: values.badge } : {}),
          },
          password,
        );
        say(io.stdout, `added ${r.user.role} ${r.user.username} (id ${r.user.id})`);
        if (r.generatedPassword) say(io.stdout, `password (shown once): ${r.generatedPassword}`);
        return 0;
      }
      case "list": {
        const list = await users.list({ ...(role ? { role } : {}), includeDisabled: values.all ?? false });
        if (values.json) {
          say(io.stdout, JSON.stringify(list, null, 2));
          return 0;
        }
        const rows = list.map((u) => [
          u.id,
          u.username,
          u.displayName,
          u.role,
          u.badge ?? "",
          u.disabled ? "disabled" : "",
        ]);
        say(
          io.stdout,
          list.length === 0 ? "no users" : table([["ID", "USERNAME", "NAME", "ROLE", "BADGE", ""], ...rows]),
        );
        return 0;
      }
      case "disable":
      case "enable": {
        const user = await users.resolve(args[0]!);
        if (!user) return fail(`no user "${args[0]}" (give an id or a username)`);
        await users.setDisabled(user.id, sub === "disable");
        if (sub === "enable") {
          say(io.stdout, `enabled ${user.username}`);
          return 0;
        }
        await endOpenSession(store, user.id);
        say(io.stdout, `disabled ${user.username}; ${webLoginsEnded(await endWebLogins(where, user.id))}`);
        return 0;
      }
      case "reset-password": {
        const user = await users.resolve(args[0]!);
        if (!user) return fail(`no user "${args[0]}" (give an id or a username)`);
        const password = values["password-stdin"] ? await passwordFromStdin(io.stdin) : undefined;
        const r = await users.resetPassword(user.id, password);
        // Whoever knew the old password may be logged in with it: those logins end too.
        const ended = await endWebLogins(where, user.id);
        say(io.stdout, `new password set for ${user.username}; ${webLoginsEnded(ended)}`);
        if (r.generatedPassword) say(io.stdout, `password (shown once): ${r.generatedPassword}`);
        return 0;
      }
      case "import": {
        const file = args[0]!;
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch (err) {
          return fail(
            `${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(err)}`,
          );
        }
        const r = await importUsersCsv(text, users, store, values.course ? { courseId: values.course } : {});
        if (!r.ok) {
          for (const p of r.problems)
            say(io.stderr, p.line > 0 ? `${file}:${p.line}: ${p.message}` : `${file}: ${p.message}`);
          say(
            io.stderr,
            `${file}: ${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}; nothing imported`,
          );
          return 1;
        }
        say(
          io.stdout,
          `imported ${r.imported.length} user${r.imported.length === 1 ? "" : "s"}${values.course ? ` into course ${values.course}` : ""}`,
        );
        say(io.stdout, "passwords (shown once):");
        say(io.stdout, table([["USERNAME", "PASSWORD"], ...r.imported.map((u) => [u.username, u.password])]));
        return 0;
      }
    }
    return usageError(`unknown subcommand "${sub}"`);
  });
}

/** A disabled trainee leaves their machine (the gateway sees it at its next refresh or NOTIFY). */
async function endOpenSession(store: TrainingStore, userId: string): Promise<void> {
  const open = (await store.openSessions()).find((s) => s.userId === userId);
  if (open) await store.endSession(open.id, Date.now(), "disabled", null);
}
