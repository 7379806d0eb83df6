// `maskinport users` and `maskinport courses` run as real processes on a temp database.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMaskinport } from "../cli/support/run-maskinport.ts";

const dir = mkdtempSync(join(tmpdir(), "maskinport-users-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `maskinport ...args --db db`: every command here on the test's own SQLite file. */
const run = (args: string[], db: string, stdin = "") => runMaskinport([...args, "--db", db], stdin);

describe("maskinport users / courses (as a process)", () => {
  it("adds users (password from stdin or generated once), lists, disables and resets", async () => {
    const db = join(dir, "a.db");
    const add = await run(
      ["users", "add", "Kari", "--name", "Kari Nordmann", "--password-stdin"],
      db,
      "kari-secret-pw\n",
    );
    expect(add).toMatchObject({ code: 0, stderr: "" });
    expect(add.stdout).toMatch(/^added trainee kari \(id u-[a-z2-7]{16}\)\n$/);
    const gen = await run(
      ["users", "add", "per", "--name", "Per Lærer", "--role", "instructor", "--badge", "04AB"],
      db,
    );
    expect(gen.code).toBe(0);
    expect(gen.stdout).toMatch(/password \(shown once\): \S{16}\n$/);

    const list = await run(["users", "list", "--json"], db);
    const users = JSON.parse(list.stdout) as { username: string; role: string; passwordHash?: string }[];
    expect(users.map((u) => [u.username, u.role])).toEqual([
      ["kari", "trainee"],
      ["per", "instructor"],
    ]);
    expect(list.stdout).not.toMatch(/scrypt|passwordHash/);
    expect((await run(["users", "list"], db)).stdout).toMatch(
      /USERNAME\s+NAME\s+ROLE\s+BADGE\n.*kari\s+Kari Nordmann\s+trainee/,
    );

    expect((await run(["users", "disable", "kari"], db)).stdout).toBe("disabled kari; 0 web logins ended\n");
    expect((await run(["users", "list"], db)).stdout).not.toMatch(/kari/);
    expect((await run(["users", "list", "--all"], db)).stdout).toMatch(/kari.*disabled/);

    const reset = await run(["users", "reset-password", "per"], db);
    expect(reset.stdout).toMatch(
      /new password set for per; 0 web logins ended\npassword \(shown once\): \S{16}\n/,
    );
    expect((await run(["users", "reset-password", "per", "--password-stdin"], db, "short\n")).stderr).toMatch(
      /password: a password needs at least 10 characters/,
    );
  });

  it("explains mistakes: taken username, bad field, unknown user, usage", async () => {
    const db = join(dir, "b.db");
    await run(["users", "add", "ola", "--name", "Ola"], db);
    const dup = await run(["users", "add", "OLA", "--name", "Ola 2"], db);
    expect(dup).toMatchObject({ code: 1, stderr: 'maskinport users: username "ola" is already taken\n' });
    expect((await run(["users", "add", "x y", "--name", "X"], db)).stderr).toMatch(
      /username: expected a username of 2–32/,
    );
    expect(await run(["users", "disable", "nobody"], db)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no user "nobody"/),
    });
    expect(await run(["users", "add", "ola2"], db)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--name/),
    });
    expect(await run(["users", "add", "x", "--name", "X", "--password", "inclear"], db)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/Unknown option '--password'/),
    });
    expect((await run(["users", "frobnicate"], db)).code).toBe(2);
  });

  it("imports a CSV all-or-nothing, naming each bad line and why", async () => {
    const db = join(dir, "c.db");
    const course = await run(
      ["courses", "add", "--name", "CNC vår 2027", "--start", "2027-03-01", "--end", "2027-03-26"],
      db,
    );
    const courseId = /id (c-[a-z2-7]{16})/.exec(course.stdout)?.[1];
    expect(courseId).toBeDefined();
    await run(["users", "add", "taken", "--name", "Already Here"], db);
    const bad = join(dir, "bad.csv");
    writeFileSync(
      bad,
      [
        "username;name;email;role;badge",
        "anne;Anne A;anne@example.no;trainee;B1",
        "b;Bjørn;;;",
        "carl;Carl C;not-an-email;;",
        "dina;Dina D;;boss;",
        "anne;Anne Again;;;",
        "taken;Someone;;;",
        "emil;Emil E;;;B1",
        "fay;Fay F;;",
        "",
      ].join("\r\n"),
    );
    const r = await run(["users", "import", bad, "--course", courseId!], db);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `${bad}:3: username: expected a username of 2–32 characters: a–z, 0–9, '.', '_' or '-', starting with a letter or digit`,
      `${bad}:4: email: expected an e-mail address like kari@example.no`,
      `${bad}:5: role: expected a role: trainee, instructor, admin`,
      `${bad}:6: username "anne" is also on line 2`,
      `${bad}:7: username "taken" already exists`,
      `${bad}:8: badge "B1" is also on line 2`,
      `${bad}:9: expected 5 fields, found 4`,
      `${bad}: 7 problems; nothing imported`,
    ]);
    expect(JSON.parse((await run(["users", "list", "--json"], db)).stdout)).toHaveLength(1);

    const good = join(dir, "good.csv");
    writeFileSync(good, '\uFEFFusername,name,role\nanne,"Berg, Anne",trainee\nper,Per P,instructor\n');
    const ok = await run(["users", "import", good, "--course", courseId!], db);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /imported 2 users into course c-\w+\npasswords \(shown once\):\nUSERNAME\s+PASSWORD\nanne\s+\S{16}\nper\s+\S{16}\n/,
    );
    const courses = JSON.parse((await run(["courses", "list", "--json"], db)).stdout) as {
      trainees: number;
      instructors: number;
    }[];
    expect(courses).toEqual([expect.objectContaining({ name: "CNC vår 2027", trainees: 1, instructors: 1 })]);
    const users = JSON.parse((await run(["users", "list", "--json"], db)).stdout) as {
      displayName: string;
    }[];
    expect(users.map((u) => u.displayName)).toContain("Berg, Anne");
  });

  it("adds courses, enrols by username, and refuses bad dates and unknown users", async () => {
    const db = join(dir, "d.db");
    await run(["users", "add", "kari", "--name", "Kari"], db);
    await run(["users", "add", "per", "--name", "Per", "--role", "instructor"], db);
    const c = await run(
      ["courses", "add", "--name", "Høst", "--start", "2027-09-06", "--end", "2027-10-01"],
      db,
    );
    const id = /id (c-\w+)/.exec(c.stdout)![1]!;
    expect((await run(["courses", "enrol", id, "kari", "per"], db)).stdout).toBe(
      `enrolled 2 users in ${id}\n`,
    );
    expect((await run(["courses", "list"], db)).stdout).toMatch(/Høst\s+2027-09-06\s+2027-10-01\s+1\s+1/);
    expect(await run(["courses", "enrol", id, "kari", "ghost"], db)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no user "ghost".*nobody enrolled/),
    });
    expect(
      (await run(["courses", "add", "--name", "X", "--start", "2027-02-30", "--end", "2027-03-01"], db))
        .stderr,
    ).toMatch(/startDate: expected a start date to be a real calendar date/);
    expect((await run(["courses", "enrol", "c-nope", "kari"], db)).stderr).toMatch(
      /no course with id c-nope/,
    );
  });
});

describe("maskinport users --config (the store the site config names)", () => {
  const runPlain = (args: string[]) => runMaskinport(args);

  const site = (training: string) =>
    [
      "site: raufoss",
      "gateway: { id: gw-1 }",
      "mqtt: { embedded: { port: 1883 } }",
      training,
      "machines:",
      "  - { id: lathe-1, name: Lathe, kind: lathe }",
      "",
    ].join("\n");

  it("adds to the training.path of the config, relative to the config file", async () => {
    const folder = mkdtempSync(join(dir, "site-"));
    const config = join(folder, "site.yaml");
    writeFileSync(
      config,
      site("training: { path: people.db, pseudonymSecret: a-long-enough-site-secret-value }"),
    );
    const add = await runPlain(["users", "add", "ola", "--name", "Ola Elev", "--config", config]);
    expect(add.code).toBe(0);
    // The same users through --db on the file the config names: one store, not two.
    const list = await run(["users", "list", "--json"], join(folder, "people.db"));
    expect((JSON.parse(list.stdout) as { username: string }[]).map((u) => u.username)).toEqual(["ola"]);
  });

  it("says why when the config cannot name a store, without a stack trace", async () => {
    const folder = mkdtempSync(join(dir, "site-"));
    const config = join(folder, "site.yaml");
    writeFileSync(config, site(""));
    const none = await runPlain(["users", "list", "--config", config]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      `maskinport users: ${config} has no training: section, so its gateway keeps no users; add one (src/training/README.md) or give --db FILE\n`,
    );
    const missing = await runPlain(["courses", "list", "--config", join(folder, "missing.yaml")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^maskinport courses: .*missing\.yaml: 1 problem\n {2}\(file\): file not found\n$/,
    );
    const erase = await runPlain(["trainees", "erase", "ola", "--yes", "--config", config]);
    expect(erase.code).toBe(1);
    expect(erase.stderr).toContain(`maskinport trainees: ${config} has no training: section`);
    expect(erase.stderr).not.toContain("    at ");
  });
});
