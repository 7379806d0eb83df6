import { afterEach, describe, expect, it } from "vitest";
import { DEMO_USERS, seedDemo } from "../../src/training/demo-seed.ts";
import { CsvError, parseCsv } from "../../src/training/people/csv.ts";
import { UserService } from "../../src/training/people/users.ts";
import { memoryStore, T0 } from "./helpers.ts";

describe("CSV reader", () => {
  it("reads quotes, doubled quotes, line breaks in quotes, CRLF, BOM and ';', keeping each record's line", () => {
    expect(parseCsv('\uFEFFa;b\r\n"x;1";"say ""hi"""\r\n\r\n"two\nlines";z')).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x;1", 'say "hi"'] },
      { line: 4, fields: ["two\nlines", "z"] },
    ]);
    expect(parseCsv("a,b\n1,\n")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", ""] },
    ]);
  });

  it("names the line of an unclosed quote or junk after a closing quote", () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3')).toThrow(new CsvError(2, "a quoted field is not closed"));
    expect(() => parseCsv('a,b\n"x"y,1')).toThrow(/^line 2: unexpected character after a closing quote/);
  });
});

describe("demo seed", () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it("creates one instructor and four trainees in a four-week course, once, with the documented logins", async () => {
    const store = memoryStore();
    cleanups.push(() => store.close());
    const first = await seedDemo(store, () => T0);
    expect(first.created).toBe(true);
    expect(first.course).toMatchObject({
      name: "Demo: CNC intensiv",
      startDate: "2027-01-04",
      endDate: "2027-01-31",
    });
    expect(first.instructor.role).toBe("instructor");
    expect(first.trainees.map((t) => t.username)).toEqual(["elev1", "elev2", "elev3", "elev4"]);
    const again = await seedDemo(store, () => T0 + 86_400_000);
    expect(again.created).toBe(false);
    expect(again.course.id).toBe(first.course.id);
    expect(await store.listUsers()).toHaveLength(5);
    const users = new UserService(store);
    for (const d of DEMO_USERS) expect((await users.login(d.username, d.password)).ok).toBe(true);
  }, 30_000);
});
